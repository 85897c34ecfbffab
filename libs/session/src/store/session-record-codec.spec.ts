import {
  dataField,
  decodeStoredSession,
  encodeStoredSession,
  SessionField,
} from './session-record-codec.js';
import type { StoredSession } from './stored-session.js';

function storedSession(overrides: Partial<StoredSession> = {}): StoredSession {
  return {
    publicId: 'pub_0123456789abcdefghij',
    userId: null,
    createdAt: 1_700_000_000_000,
    lastSeenAt: 1_700_000_060_000,
    absoluteExpiresAt: 1_700_604_800_000,
    roles: [],
    elevatedUntil: null,
    device: null,
    rotationDue: false,
    data: {},
    ...overrides,
  };
}

/** Data keys as own properties, including ones that are special on ordinary objects. */
function awkwardData(): Record<string, string> {
  const data = Object.create(null) as Record<string, string>;
  data['__proto__'] = '{"polluted":"yes"}';
  data['constructor'] = '{"prototype":{"polluted":"yes"}}';
  data['toString'] = '"not a function"';
  data['cart'] = '["sku-1","sku-2"]';
  data['.dotted'] = '1';
  data['p'] = '"same letter as the publicId field"';
  data[''] = 'null';
  return data;
}

function validFlat(): string[] {
  return ['p', 'pub', 'c', '1', 'l', '2', 'a', '3'];
}

/** validFlat() with the value of `field` replaced. */
function withField(field: string, value: unknown): unknown[] {
  const flat: unknown[] = validFlat();
  const at = flat.indexOf(field);
  if (at === -1) flat.push(field, value);
  else flat[at + 1] = value;
  return flat;
}

describe('encodeStoredSession / decodeStoredSession', () => {
  it('round-trips an anonymous session', () => {
    const session = storedSession();
    expect(decodeStoredSession(encodeStoredSession(session))).toEqual(session);
  });

  it('round-trips a signed-in session with every optional field', () => {
    const session = storedSession({
      userId: 'user-42',
      roles: ['admin', 'user'],
      elevatedUntil: 1_700_000_300_000,
      device: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' },
      rotationDue: true,
      data: { theme: '"dark"', cart: '[]' },
    });
    expect(decodeStoredSession(encodeStoredSession(session))).toEqual(session);
  });

  it('round-trips a synchronizer-token secret in one short field', () => {
    const session = storedSession({ csrfSecret: 'AAAAAAAAAAAAAAAAAAAAAA' });
    const flat = encodeStoredSession(session);
    expect(flat.slice(-2)).toEqual([SessionField.csrfSecret, 'AAAAAAAAAAAAAAAAAAAAAA']);
    expect(SessionField.csrfSecret).toHaveLength(1);
    expect(decodeStoredSession(flat)).toEqual(session);
  });

  it('decodes a session stored without a secret as having none', () => {
    expect(decodeStoredSession(encodeStoredSession(storedSession()))).not.toHaveProperty(
      'csrfSecret',
    );
  });

  it('writes only the fields an anonymous session needs', () => {
    expect(encodeStoredSession(storedSession())).toEqual([
      SessionField.publicId,
      'pub_0123456789abcdefghij',
      SessionField.createdAt,
      '1700000000000',
      SessionField.lastSeenAt,
      '60000',
      SessionField.absoluteExpiresAt,
      '604800000',
    ]);
  });

  it('writes p, c, l and a first, where the read script looks for them', () => {
    const flat = encodeStoredSession(
      storedSession({ userId: 'u-1', roles: ['admin'], data: { theme: '"dark"' } }),
    );
    expect([flat[0], flat[2], flat[4], flat[6]]).toEqual(['p', 'c', 'l', 'a']);
  });

  it('stores last-seen and the absolute deadline as milliseconds after createdAt', () => {
    // Below 2^31 a listpack stores a number in 5 bytes instead of 9.
    const flat = encodeStoredSession(storedSession());
    const value = (field: string) => Number(flat[flat.indexOf(field) + 1]);
    expect(value(SessionField.lastSeenAt)).toBeLessThan(2 ** 31);
    expect(value(SessionField.absoluteExpiresAt)).toBeLessThan(2 ** 31);
    expect(decodeStoredSession(flat)).toEqual(storedSession());
  });

  it('prefixes data keys so they never collide with the session fields', () => {
    const flat = encodeStoredSession(storedSession({ data: { p: '"x"', u: '"y"' } }));
    expect(flat).toContain(dataField('p'));
    expect(flat).toContain(dataField('u'));
    const decoded = decodeStoredSession(flat);
    expect(decoded?.publicId).toBe('pub_0123456789abcdefghij');
    expect(decoded?.userId).toBeNull();
    expect(decoded?.data).toEqual({ p: '"x"', u: '"y"' });
  });

  it('keeps __proto__, constructor and toString as own data keys without touching Object.prototype', () => {
    const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();
    const data = awkwardData();

    const decoded = decodeStoredSession(encodeStoredSession(storedSession({ data })));

    expect(decoded).not.toBeNull();
    const decodedData = decoded?.data ?? {};
    expect(Object.keys(decodedData).sort()).toEqual(Object.keys(data).sort());
    for (const key of Object.keys(data)) {
      expect(Object.hasOwn(decodedData, key)).toBe(true);
      expect(decodedData[key]).toBe(data[key]);
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
    expect(typeof Object.prototype.toString).toBe('function');
  });

  it('reads a hand-written __proto__ field as data, not as a prototype', () => {
    const decoded = decodeStoredSession([...validFlat(), '.__proto__', '{"polluted":"yes"}']);
    expect(decoded?.data['__proto__']).toBe('{"polluted":"yes"}');
    expect(Object.hasOwn(decoded?.data ?? {}, '__proto__')).toBe(true);
    expect((decoded?.data as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('decodeStoredSession', () => {
  it('decodes a minimal valid reply, l and a counted from c', () => {
    expect(decodeStoredSession(validFlat())).toEqual(
      storedSession({ publicId: 'pub', createdAt: 1, lastSeenAt: 3, absoluteExpiresAt: 4 }),
    );
  });

  it('returns null for an empty reply (the key does not exist)', () => {
    expect(decodeStoredSession([])).toBeNull();
  });

  it('ignores fields it does not know', () => {
    expect(decodeStoredSession([...validFlat(), 'zz', 'future'])).not.toBeNull();
  });

  it('returns null without a publicId', () => {
    expect(decodeStoredSession(validFlat().slice(2))).toBeNull();
  });

  it('returns null for an empty publicId', () => {
    expect(decodeStoredSession(withField('p', ''))).toBeNull();
  });

  it.each(['c', 'l', 'a'])('returns null when timestamp field %s is missing', (field) => {
    const flat = validFlat();
    const at = flat.indexOf(field);
    flat.splice(at, 2);
    expect(decodeStoredSession(flat)).toBeNull();
  });

  it.each([
    ['c', 'abc'],
    ['l', 'NaN'],
    ['a', 'Infinity'],
    ['c', '12abc'],
    ['a', '-Infinity'],
  ])('returns null when timestamp field %s is %j', (field, value) => {
    expect(decodeStoredSession(withField(field, value))).toBeNull();
  });

  it('returns null for an elevatedUntil that is not a number', () => {
    expect(decodeStoredSession(withField('e', 'soon'))).toBeNull();
  });

  it.each([['not json'], ['{"0":"admin"}'], ['["admin",1]'], ['"admin"']])(
    'returns null for roles %j',
    (roles) => {
      expect(decodeStoredSession(withField('r', roles))).toBeNull();
    },
  );

  it.each([
    ['a numeric field name', [...validFlat(), 1, 'x']],
    ['a null value', withField('u', null)],
    ['a Buffer value', withField('c', Buffer.from('1'))],
    ['a numeric timestamp value', withField('a', 3)],
    ['a non-string data value', [...validFlat(), '.cart', ['sku']]],
  ])('returns null for %s', (_label, flat) => {
    expect(decodeStoredSession(flat)).toBeNull();
  });
});

describe('decodeStoredSession strictness', () => {
  it.each([
    ['an empty timestamp', ['p', 'id', 'c', '', 'l', '2', 'a', '3']],
    ['a blank timestamp', ['p', 'id', 'c', '1', 'l', ' ', 'a', '3']],
    ['a hexadecimal timestamp', ['p', 'id', 'c', '1', 'l', '2', 'a', '0x10']],
    ['an empty elevation time', ['p', 'id', 'c', '1', 'l', '2', 'a', '3', 'e', '']],
    ['a dangling last field', ['p', 'id', 'c', '1', 'l', '2', 'a', '3', 'u']],
    ['a lone minus sign', ['p', 'id', 'c', '1', 'l', '-', 'a', '3']],
    ['two minus signs', ['p', 'id', 'c', '1', 'l', '--2', 'a', '3']],
    ['a negative creation time', ['p', 'id', 'c', '-1', 'l', '2', 'a', '3']],
    ['a plus sign', ['p', 'id', 'c', '+1', 'l', '2', 'a', '3']],
    ['an exponent', ['p', 'id', 'c', '1e3', 'l', '2', 'a', '3']],
    ['a decimal point', ['p', 'id', 'c', '1.5', 'l', '2', 'a', '3']],
    ['digits of another script', ['p', 'id', 'c', '\u0661\u0662', 'l', '2', 'a', '3']],
    ['17 digits', ['p', 'id', 'c', '1'.repeat(17), 'l', '2', 'a', '3']],
    ['a negative elevation time', ['p', 'id', 'c', '1', 'l', '2', 'a', '3', 'e', '-5']],
  ])('rejects %s', (_, flat) => {
    expect(decodeStoredSession(flat)).toBeNull();
  });

  it('accepts offsets below zero for last-seen and the deadline, and 16 digits', () => {
    const sixteen = '1'.repeat(16);
    expect(decodeStoredSession(['p', 'id', 'c', sixteen, 'l', '-2', 'a', '-3'])).toMatchObject({
      createdAt: Number(sixteen),
      lastSeenAt: Number(sixteen) - 2,
      absoluteExpiresAt: Number(sixteen) - 3,
    });
  });
});

describe('decodeStoredSession roles', () => {
  it('hands every decode its own roles array, also when the list was decoded before', () => {
    const flat = withField('r', '["admin","user"]');
    const first = decodeStoredSession(flat);
    (first?.roles as string[]).push('intruder');
    const second = decodeStoredSession(flat);

    expect(second?.roles).toEqual(['admin', 'user']);
    expect(second?.roles).not.toBe(first?.roles);
    expect(Object.isFrozen(second?.roles)).toBe(false);
  });

  it('hands out an empty roles array of its own when the field is absent', () => {
    const first = decodeStoredSession(validFlat());
    const second = decodeStoredSession(validFlat());

    expect(first?.roles).toEqual([]);
    expect(first?.roles).not.toBe(second?.roles);
  });
});
