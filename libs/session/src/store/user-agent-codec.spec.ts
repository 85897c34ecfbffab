import { packUserAgent, unpackUserAgent } from './user-agent-codec.js';

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const ANDROID_CHROME =
  'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';
const MAC_SAFARI =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
const LINUX_FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0';
const EDGE = `${CHROME} Edg/131.0.0.0`;
const BROWSERS = [CHROME, IPHONE_SAFARI, ANDROID_CHROME, MAC_SAFARI, LINUX_FIREFOX, EDGE];

// Redis keeps a hash as a listpack only while every value is at most this many bytes.
const LISTPACK_VALUE_LIMIT = 64;

describe('packUserAgent / unpackUserAgent', () => {
  it.each(BROWSERS)('gives back exactly what was packed: %s', (userAgent) => {
    expect(unpackUserAgent(packUserAgent(userAgent))).toBe(userAgent);
  });

  it.each(BROWSERS)('packs a current browser into a listpack-sized value: %s', (userAgent) => {
    expect(Buffer.byteLength(packUserAgent(userAgent))).toBeLessThanOrEqual(LISTPACK_VALUE_LIMIT);
  });

  it('packs a desktop Chrome User-Agent of 111 bytes into under 10', () => {
    expect(CHROME).toHaveLength(111);
    expect(Buffer.byteLength(packUserAgent(CHROME))).toBeLessThan(10);
  });

  it('keeps strings that contain the codes or the escape lossless', () => {
    const odd = 'a\x01b\x1fc\x1e\x0bd\tMozilla/5.0 (\x1f\x1f';
    expect(unpackUserAgent(packUserAgent(odd))).toBe(odd);
  });

  it('leaves text without known phrases as it is', () => {
    expect(packUserAgent('curl/8.5.0')).toBe('curl/8.5.0');
    expect(unpackUserAgent('curl/8.5.0')).toBe('curl/8.5.0');
    expect(packUserAgent('')).toBe('');
  });

  it('round-trips any text made of phrases, codes and plain characters', () => {
    const alphabet = [
      'Mozilla/5.0 (',
      'Chrome/',
      ' Safari/537.36',
      'Mobile',
      '\x03',
      '\x1f',
      'x',
      ' ',
    ];
    for (let seed = 1; seed < 500; seed++) {
      let text = '';
      for (let n = seed; n > 0; n = Math.floor(n / alphabet.length)) {
        text += alphabet[n % alphabet.length];
      }
      expect(unpackUserAgent(packUserAgent(text))).toBe(text);
    }
  });
});
