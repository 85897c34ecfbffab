import { SessionDataError } from '../errors/session-data.error.js';
import { SessionDataTooLargeError } from '../errors/session-data-too-large.error.js';
import type { SessionDataChange } from '../store/stored-session.js';
import { UndecodedField, fieldsOf } from './lazy-session-data.js';

/**
 * Serialises every top-level key of `data`, a plain object or lazySessionData. Throws SessionDataError for values JSON cannot hold, and
 * SessionDataTooLargeError when keys and values together exceed `maxBytes`: nothing is ever
 * truncated or dropped in silence.
 */
export function serializeSessionData(data: object, maxBytes = Infinity): Record<string, string> {
  const serialized = Object.create(null) as Record<string, string>;
  const fields = fieldsOf(data);
  let bytes = 0;
  for (const key of Object.keys(fields)) {
    // A getter the handler defined on the data reads it through `data`, where its own reads of
    // stored keys decode them; on the raw fields it would see undecoded ones.
    const value: unknown = isAccessor(fields, key) ? Reflect.get(data, key) : fields[key];
    if (value === undefined) continue;
    // A field the handler never read is still its stored JSON: copied, not parsed and rebuilt.
    const json = value instanceof UndecodedField ? value.json : serializeValue(key, value);
    serialized[key] = json;
    bytes += Buffer.byteLength(key) + Buffer.byteLength(json);
  }
  if (bytes > maxBytes) throw new SessionDataTooLargeError(bytes, maxBytes);
  return serialized;
}

function isAccessor(fields: object, key: string): boolean {
  const own = Object.getOwnPropertyDescriptor(fields, key);
  return own !== undefined && own.get !== undefined;
}

/** Only the keys whose serialised form differs from what was loaded; `null` when none. */
export function diffSessionData(
  data: object,
  snapshot: Readonly<Record<string, string>>,
  maxBytes = Infinity,
): SessionDataChange | null {
  const current = serializeSessionData(data, maxBytes);
  // Null prototype: a data key named "__proto__" must be recorded, not hit the prototype setter.
  const set = Object.create(null) as Record<string, string>;
  const unset: string[] = [];
  for (const key of Object.keys(current)) {
    if (current[key] !== snapshot[key]) set[key] = current[key] as string;
  }
  for (const key of Object.keys(snapshot)) {
    if (!(key in current)) unset.push(key);
  }
  return Object.keys(set).length === 0 && unset.length === 0 ? null : { set, unset };
}

// JSON.stringify turns a nested function or symbol into nothing (or null in an array) and NaN
// into null: data would change on the way to Redis without anyone noticing.
function strictReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') {
    throw new TypeError(`a ${typeof value} is not JSON`);
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TypeError(`${value} is not JSON`);
  }
  return value;
}

function serializeValue(key: string, value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value, strictReplacer);
  } catch (error) {
    throw new SessionDataError(key, error instanceof Error ? error.message : 'not serialisable', {
      cause: error,
    });
  }
  if (json === undefined) throw new SessionDataError(key, `a ${typeof value} is not JSON`);
  return json;
}

/** The stored form after `change` was written. */
export function applySessionDataChange(
  snapshot: Readonly<Record<string, string>>,
  change: SessionDataChange,
): Record<string, string> {
  const next: Record<string, string> = Object.assign(
    Object.create(null) as object,
    snapshot,
    change.set,
  );
  for (const key of change.unset) delete next[key];
  return next;
}
