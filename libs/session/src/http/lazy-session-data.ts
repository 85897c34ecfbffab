import { inspect, type InspectOptions } from 'node:util';

type Decode = (json: string) => unknown;

/**
 * A stored data field the handler has not read yet: its JSON as Redis returned it. It sits in
 * the proxy's target in place of the value, so the key keeps its place in `Object.keys` order.
 */
export class UndecodedField {
  constructor(readonly json: string) {}

  // console.log(session.data) inspects the proxy's target, bypassing the traps: show the value,
  // without counting it as read.
  [inspect.custom](_depth: number, options: InspectOptions): string {
    try {
      return inspect(JSON.parse(this.json), options);
    } catch {
      return '[corrupt JSON]';
    }
  }
}

type Fields = Record<PropertyKey, unknown>;

// One per session.data: the traps below are shared through its prototype.
interface LazyDataHandler extends ProxyHandler<Fields> {
  data: Fields;
  decode: Decode;
}

// Read through the proxy by fieldsOf(): the target, without a WeakMap entry per request.
const FIELDS = Symbol('nest-redis-session:fields');

function decodeInto(target: Fields, key: PropertyKey, field: UndecodedField, decode: Decode) {
  let value: unknown;
  try {
    value = decode(field.json);
  } catch {
    // Only a hand-edited Redis holds invalid JSON: the key reads as absent, and the commit of
    // this request removes it from the store.
    delete target[key];
    return undefined;
  }
  Object.defineProperty(target, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
  return value;
}

// Every trap decodes a field before anything can see its value; `has`, `ownKeys` and `delete`
// need no value, so they stay on the target.
const traps: ProxyHandler<Fields> & ThisType<LazyDataHandler> = {
  get(target, key, receiver) {
    if (key === FIELDS) return receiver === this.data ? target : undefined;
    const value: unknown = Reflect.get(target, key, receiver);
    return value instanceof UndecodedField ? decodeInto(target, key, value, this.decode) : value;
  },
  getOwnPropertyDescriptor(target, key) {
    const own = Reflect.getOwnPropertyDescriptor(target, key);
    if (!(own?.value instanceof UndecodedField)) return own;
    decodeInto(target, key, own.value, this.decode);
    return Reflect.getOwnPropertyDescriptor(target, key);
  },
  defineProperty(target, key, descriptor) {
    const own = Reflect.getOwnPropertyDescriptor(target, key);
    // Object.freeze redefines each key without a value: the stored one must be there first.
    if (own?.value instanceof UndecodedField) decodeInto(target, key, own.value, this.decode);
    return Reflect.defineProperty(target, key, descriptor);
  },
  set(target, key, value, receiver) {
    const own = Reflect.getOwnPropertyDescriptor(target, key);
    const plainAssignment =
      receiver === this.data &&
      (own === undefined ? Reflect.isExtensible(target) : own.writable === true);
    if (!plainAssignment) return Reflect.set(target, key, value, receiver);
    // Defined, not assigned: `data.__proto__ = x` stores a key named "__proto__" and never
    // reaches the prototype setter. An unread stored value is overwritten without a decode.
    return own === undefined
      ? Reflect.defineProperty(target, key, {
          value,
          writable: true,
          enumerable: true,
          configurable: true,
        })
      : Reflect.defineProperty(target, key, { value });
  },
};

/**
 * The `session.data` a handler sees: an ordinary-looking object over the stored JSON fields,
 * where each field is decoded the first time it is read. A key the handler never touches is
 * never parsed, and the commit copies its stored JSON instead of serialising it again.
 * `decode` is JSON.parse; tests pass a counting one.
 */
export function lazySessionData(
  stored: Readonly<Record<string, string>>,
  decode: Decode = JSON.parse,
): Record<string, unknown> {
  const target: Fields = {};
  for (const key of Object.keys(stored)) {
    const field = new UndecodedField(stored[key] as string);
    // Assignment is several times cheaper than defineProperty, and safe for every key but
    // "__proto__", which would set the prototype instead of an own key.
    if (key === '__proto__') {
      Object.defineProperty(target, key, {
        value: field,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    } else {
      target[key] = field;
    }
  }
  const handler = Object.create(traps) as LazyDataHandler;
  handler.decode = decode;
  handler.data = new Proxy(target, handler);
  return handler.data;
}

/**
 * The object behind lazy `data`, where unread fields are still UndecodedField; `data` itself
 * when it is a plain object (a handler may assign `session.data` a new one).
 */
export function fieldsOf(data: object): Readonly<Fields> {
  return (data as { [FIELDS]?: Fields })[FIELDS] ?? (data as Fields);
}
