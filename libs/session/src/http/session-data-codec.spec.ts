import { SessionDataError } from '../errors/session-data.error.js';
import { SessionDataTooLargeError } from '../errors/session-data-too-large.error.js';
import { lazySessionData } from './lazy-session-data.js';
import {
  applySessionDataChange,
  diffSessionData,
  serializeSessionData,
} from './session-data-codec.js';

function serializationErrorOf(data: object): SessionDataError {
  try {
    serializeSessionData(data);
  } catch (error) {
    if (error instanceof SessionDataError) return error;
    throw error;
  }
  throw new Error('expected serializeSessionData to throw SessionDataError');
}

describe('serializeSessionData', () => {
  it('serialises each top-level key to its own JSON string', () => {
    expect(serializeSessionData({ cart: ['a'], n: 1, nested: { x: [true] }, s: 'x' })).toEqual({
      cart: '["a"]',
      n: '1',
      nested: '{"x":[true]}',
      s: '"x"',
    });
  });

  it('skips keys whose value is undefined', () => {
    const serialized = serializeSessionData({ gone: undefined, kept: null });
    expect(Object.keys(serialized)).toEqual(['kept']);
    expect(serialized['kept']).toBe('null');
  });

  it('round-trips through lazySessionData, __proto__ included', () => {
    const data = lazySessionData(
      JSON.parse('{"__proto__":"1","b":"[2]"}') as Record<string, string>,
    );
    const serialized = serializeSessionData(data);
    expect(Object.keys(serialized).sort()).toEqual(['__proto__', 'b']);
    expect(serialized['__proto__']).toBe('1');
  });

  it('names the key holding a BigInt', () => {
    const error = serializationErrorOf({ ok: 1, total: 10n });
    expect(error.key).toBe('total');
    expect(error.message).toContain('"total"');
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('names the key holding a BigInt nested deep inside', () => {
    expect(serializationErrorOf({ order: { lines: [{ price: 1n }] } }).key).toBe('order');
  });

  it('names the key holding a cycle', () => {
    const node: Record<string, unknown> = { name: 'loop' };
    node['self'] = node;
    const error = serializationErrorOf({ graph: node });
    expect(error.key).toBe('graph');
    expect(error.message).toContain('"graph"');
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('names the key holding a function', () => {
    const error = serializationErrorOf({ callback: () => 1 });
    expect(error.key).toBe('callback');
    expect(error.message).toBe(
      'Session data key "callback" cannot be stored as JSON: a function is not JSON',
    );
  });

  it('names the key holding a symbol', () => {
    const error = serializationErrorOf({ marker: Symbol('m') });
    expect(error.key).toBe('marker');
    expect(error.message).toBe(
      'Session data key "marker" cannot be stored as JSON: a symbol is not JSON',
    );
  });

  it('is a SessionDataError with its own name', () => {
    expect(serializationErrorOf({ n: 1n }).name).toBe('SessionDataError');
  });
});

describe('diffSessionData', () => {
  const snapshot = { cart: '["a"]', theme: '"dark"', profile: '{"x":1,"y":2}' };

  it('returns null when nothing changed', () => {
    expect(
      diffSessionData({ cart: ['a'], theme: 'dark', profile: { x: 1, y: 2 } }, snapshot),
    ).toBeNull();
  });

  it('returns null when only the order of top-level keys changed', () => {
    expect(
      diffSessionData({ profile: { x: 1, y: 2 }, theme: 'dark', cart: ['a'] }, snapshot),
    ).toBeNull();
  });

  it('counts a reordered nested object as changed (it compares JSON strings)', () => {
    expect(
      diffSessionData({ cart: ['a'], theme: 'dark', profile: { y: 2, x: 1 } }, snapshot),
    ).toEqual({
      set: { profile: '{"y":2,"x":1}' },
      unset: [],
    });
  });

  it('puts only the changed and the added keys in set', () => {
    expect(
      diffSessionData(
        { cart: ['a', 'b'], theme: 'dark', profile: { x: 1, y: 2 }, lang: 'fr' },
        snapshot,
      ),
    ).toEqual({ set: { cart: '["a","b"]', lang: '"fr"' }, unset: [] });
  });

  it('puts removed keys, and keys set to undefined, in unset', () => {
    expect(diffSessionData({ cart: ['a'], theme: undefined }, snapshot)).toEqual({
      set: {},
      unset: ['theme', 'profile'],
    });
  });

  it('sees a change to a key named like an Object.prototype member', () => {
    expect(diffSessionData({ constructor: 'c', toString: 's' }, {})).toEqual({
      set: { constructor: '"c"', toString: '"s"' },
      unset: [],
    });
  });

  it('propagates SessionDataError for an unstorable value', () => {
    expect(() => diffSessionData({ n: 1n }, {})).toThrow(SessionDataError);
  });
});

describe('applySessionDataChange', () => {
  it('writes set, removes unset and leaves other keys alone', () => {
    const before = { a: '1', b: '2', c: '3' };
    expect(applySessionDataChange(before, { set: { b: '20', d: '4' }, unset: ['c'] })).toEqual({
      a: '1',
      b: '20',
      d: '4',
    });
  });

  it('does not modify the snapshot', () => {
    const before = { a: '1', b: '2' };
    applySessionDataChange(before, { set: { a: '9' }, unset: ['b'] });
    expect(before).toEqual({ a: '1', b: '2' });
  });

  it('gives a snapshot against which the same data has no diff', () => {
    const data = { cart: ['a', 'b'], theme: 'light' };
    const before = { cart: '["a"]', theme: '"dark"', old: '1' };
    const change = diffSessionData(data, before);
    expect(change).not.toBeNull();
    const after = applySessionDataChange(before, change ?? { set: {}, unset: [] });
    expect(diffSessionData(data, after)).toBeNull();
  });

  it('stores a __proto__ key as an own key of a prototype-free result', () => {
    const set = JSON.parse('{"__proto__":"\\"x\\""}') as Record<string, string>;
    const after = applySessionDataChange({}, { set, unset: [] });
    expect(Object.getPrototypeOf(after)).toBeNull();
    expect(Object.keys(after)).toEqual(['__proto__']);
    expect(after['__proto__']).toBe('"x"');
  });
});

describe('diffSessionData with a key named __proto__', () => {
  it('records a change to it instead of dropping it on the prototype setter', () => {
    const data = JSON.parse('{"__proto__":2,"a":1}') as object;
    const change = diffSessionData(data, { ['__proto__']: '1', a: '1' });
    expect(change).not.toBeNull();
    expect(Object.keys(change!.set)).toEqual(['__proto__']);
    expect(change!.set['__proto__']).toBe('2');
  });
});

describe('serializeSessionData strictness and size', () => {
  it.each([
    ['a nested function', { profile: { greet: () => 'hi' } }],
    ['a function in an array', { list: [1, () => 2] }],
    ['a nested symbol', { tag: { s: Symbol('x') } }],
    ['NaN', { score: Number.NaN }],
    ['Infinity nested', { stats: { max: Number.POSITIVE_INFINITY } }],
  ])('refuses %s instead of dropping or changing it', (_, data) => {
    expect(() => serializeSessionData(data)).toThrow(SessionDataError);
  });

  it('counts keys and values in bytes (UTF-8) against the limit', () => {
    const data = { k: 'é'.repeat(10) }; // "k" + '"' + 20 bytes + '"' = 23 bytes
    expect(() => serializeSessionData(data, 23)).not.toThrow();
    expect(() => serializeSessionData(data, 22)).toThrow(SessionDataTooLargeError);
  });

  it('reports the size and the limit in the error', () => {
    const failure = (() => {
      try {
        serializeSessionData({ big: 'x'.repeat(100) }, 50);
      } catch (error) {
        return error as SessionDataTooLargeError;
      }
      throw new Error('expected a SessionDataTooLargeError');
    })();
    expect(failure.getStatus()).toBe(413);
    expect(failure.bytes).toBe(105);
    expect(failure.maxBytes).toBe(50);
    expect(failure.message).toBe(
      'Session data would take 105 bytes, more than the 50 allowed; nothing was saved',
    );
  });
});
