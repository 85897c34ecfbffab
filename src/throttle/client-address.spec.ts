import { throttleAddress } from './client-address.js';

describe('throttleAddress', () => {
  it.each([
    ['an IPv4 address', '203.0.113.7', '203.0.113.7'],
    ['an IPv4-mapped IPv6 address', '::ffff:203.0.113.7', '203.0.113.7'],
    ['loopback IPv6', '::1', '0:0:0:0::/64'],
    ['a full IPv6 address', '2001:0db8:0000:0042:0000:8a2e:0370:7334', '2001:db8:0:42::/64'],
    ['a compressed IPv6 address', '2001:db8::42:1', '2001:db8:0:0::/64'],
    ['an IPv6 address with a zone', 'fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['an IPv6 address ending in IPv4', '64:ff9b::192.0.2.33', '64:ff9b:0:0::/64'],
    ['no address', undefined, 'unknown'],
    ['something else', 'not-an-ip', 'unknown'],
  ])('counts %s as %s', (_case, ip, expected) => {
    expect(throttleAddress(ip)).toBe(expected);
  });

  it('puts two addresses of one /64 together, and of two /64s apart', () => {
    expect(throttleAddress('2001:db8:1:2::a')).toBe(throttleAddress('2001:db8:1:2:ffff::b'));
    expect(throttleAddress('2001:db8:1:2::a')).not.toBe(throttleAddress('2001:db8:1:3::a'));
  });
});
