import { inspect } from 'node:util';
import { SessionDataError } from '../errors/session-data.error.js';
import { SessionDataTooLargeError } from '../errors/session-data-too-large.error.js';
import { lazySessionData } from './lazy-session-data.js';
import { diffSessionData, serializeSessionData } from './session-data-codec.js';

const stored = { cart: '["a","b"]', count: '3', theme: '"dark"', nothing: 'null' };

function counted(fields: Record<string, string> = stored) {
  const decoded: string[] = [];
  const data = lazySessionData(fields, (json) => {
    decoded.push(json);
    return JSON.parse(json) as unknown;
  });
  return { data, decoded };
}

describe('lazySessionData: what is decoded', () => {
  afterEach(() => vi.restoreAllMocks());

  it('decodes nothing until a key is read, then only that key, once', () => {
    const { data, decoded } = counted();
    expect(decoded).toEqual([]);
    expect(data['theme']).toBe('dark');
    expect(data['theme']).toBe('dark');
    expect(decoded).toEqual(['"dark"']);
  });

  it('commits an untouched session without one JSON.parse or JSON.stringify', () => {
    const parse = vi.spyOn(JSON, 'parse');
    const stringify = vi.spyOn(JSON, 'stringify');
    const data = lazySessionData(stored);
    expect(diffSessionData(data, stored, 1_000)).toBeNull();
    expect(parse).not.toHaveBeenCalled();
    expect(stringify).not.toHaveBeenCalled();
  });

  it('serialises only the keys the handler read or wrote', () => {
    const { data, decoded } = counted();
    const stringify = vi.spyOn(JSON, 'stringify');
    (data['cart'] as string[]).push('c');
    data['lastAction'] = 7;
    expect(diffSessionData(data, stored)).toEqual({
      set: { cart: '["a","b","c"]', lastAction: '7' },
      unset: [],
    });
    expect(decoded).toEqual(['["a","b"]']);
    expect(stringify).toHaveBeenCalledTimes(2);
  });

  it('overwrites and deletes stored keys without decoding them', () => {
    const { data, decoded } = counted();
    data['count'] = 4;
    delete data['theme'];
    expect(diffSessionData(data, stored)).toEqual({ set: { count: '4' }, unset: ['theme'] });
    expect(decoded).toEqual([]);
  });

  it('commits a getter defined on the data with the stored keys it reads decoded', () => {
    const { data } = counted();
    Object.defineProperty(data, 'cartSize', {
      get(this: { cart: string[] }) {
        return this.cart.length;
      },
      enumerable: true,
      configurable: true,
    });
    expect(diffSessionData(data, stored)).toEqual({ set: { cartSize: '2' }, unset: [] });
  });

  it('answers `in` without decoding', () => {
    const { data, decoded } = counted();
    expect('cart' in data).toBe(true);
    expect('missing' in data).toBe(false);
    expect('toString' in data).toBe(true);
    expect(decoded).toEqual([]);
  });

  it('shows its values to util.inspect (console.log) without decoding them', () => {
    const { data, decoded } = counted({ theme: '"dark"' });
    expect(inspect(data)).toBe("{ theme: 'dark' }");
    expect(decoded).toEqual([]);
  });

  it('counts untouched keys, at their stored size, against maxDataBytes', () => {
    const { data, decoded } = counted({ big: JSON.stringify('x'.repeat(100)) });
    data['small'] = 1;
    expect(() => diffSessionData(data, { big: JSON.stringify('x'.repeat(100)) }, 50)).toThrow(
      SessionDataTooLargeError,
    );
    expect(decoded).toEqual([]);
  });
});

describe('lazySessionData: behaves as a plain object', () => {
  const plain = { cart: ['a', 'b'], count: 3, theme: 'dark', nothing: null };

  it('has the stored keys in stored order, and the same spread and JSON', () => {
    const data = lazySessionData(stored);
    expect(Object.keys(data)).toEqual(['cart', 'count', 'theme', 'nothing']);
    expect({ ...data }).toEqual(plain);
    expect(JSON.parse(JSON.stringify(data))).toEqual(plain);
    expect(Object.entries(data)).toEqual(Object.entries(plain));
    expect(data).toEqual(plain);
  });

  it('adds new keys after the stored ones and forgets deleted ones', () => {
    const data = lazySessionData(stored);
    data['lang'] = 'fr';
    delete data['count'];
    expect(Object.keys(data)).toEqual(['cart', 'theme', 'nothing', 'lang']);
    expect('count' in data).toBe(false);
    expect(data['count']).toBeUndefined();
  });

  it('keeps a nested change made through a value that was read', () => {
    const data = lazySessionData({ profile: '{"x":1}' });
    (data['profile'] as { x: number }).x = 2;
    expect(serializeSessionData(data)).toEqual({ profile: '{"x":2}' });
  });

  it('keeps __proto__ an ordinary key, whether stored or assigned', () => {
    const fields = JSON.parse('{"__proto__":"{\\"isAdmin\\":true}","a":"1"}') as Record<
      string,
      string
    >;
    const data = lazySessionData(fields);
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.hasOwn(data, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(data, '__proto__')?.value).toEqual({ isAdmin: true });
    expect(data['isAdmin']).toBeUndefined();

    const fresh = lazySessionData({});
    fresh['__proto__'] = { isAdmin: true };
    expect(Object.getPrototypeOf(fresh)).toBe(Object.prototype);
    expect(fresh['isAdmin']).toBeUndefined();
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
    expect(Object.keys(fresh)).toEqual(['__proto__']);
    expect(diffSessionData(fresh, {})?.set['__proto__']).toBe('{"isAdmin":true}');
  });

  it('keeps keys named like Object.prototype members writable data keys', () => {
    const data = lazySessionData({ constructor: '"c"' });
    expect(data['constructor']).toBe('c');
    data['constructor'] = 'changed';
    data['toString'] = 's';
    expect(diffSessionData(data, { constructor: '"c"' })).toEqual({
      set: { constructor: '"changed"', toString: '"s"' },
      unset: [],
    });
  });

  it('names the key of a value that cannot be stored', () => {
    const data = lazySessionData(stored);
    data['total'] = 10n;
    const attempt = () => diffSessionData(data, stored);
    expect(attempt).toThrow(SessionDataError);
    expect(attempt).toThrow('"total"');
  });

  it('can be frozen, keeping the stored values', () => {
    const data = Object.freeze(lazySessionData({ theme: '"dark"' }));
    expect(data['theme']).toBe('dark');
    expect(Object.isFrozen(data)).toBe(true);
  });

  it('reads a field holding invalid JSON as absent, and the commit removes it', () => {
    const corrupt = { good: '1', bad: '{' };
    const data = lazySessionData(corrupt);
    expect(data['bad']).toBeUndefined();
    expect(Object.keys(data)).toEqual(['good']);
    expect(diffSessionData(data, corrupt)).toEqual({ set: {}, unset: ['bad'] });
  });
});
