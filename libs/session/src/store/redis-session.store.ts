import { SessionStoreUnavailableError } from '../errors/session-store-unavailable.error.js';
import type { SessionRedisClient } from '../redis/create-redis-client.js';
import { SessionKeys } from '../redis/redis-keys.js';
import { SocketWriteCoalescer } from '../redis/socket-write-coalescer.js';
import { DEFAULT_SESSION_OPTIONS } from '../options/session-defaults.js';
import type { SessionSocketWrites } from '../options/session-module-options.interface.js';
import { shardOfUser, type SessionAddress, type TokenDigest } from '../token/session-token.js';
import {
  RedisScriptRunner,
  isReplicaShortfall,
  type ReplicaAcknowledgement,
  type ScriptArgs,
} from './redis-script-runner.js';
import {
  SESSION_SCRIPTS,
  createSessionScript,
  listSessionsScript,
  readSessionScript,
  revokeAllSessionsScript,
  revokeSessionScript,
  rotateSessionScript,
  saveSessionScript,
  takeSessionScript,
  updateUserSessionsScript,
  type SessionScript,
} from './redis-session.scripts.js';
import {
  SessionField,
  dataField,
  decodeStoredSession,
  encodeStoredSession,
} from './session-record-codec.js';
import { SessionStore, type SessionCreateOptions } from './session-store.js';
import { unpackUserAgent } from './user-agent-codec.js';
import { wholeMilliseconds } from './whole-milliseconds.js';
import type {
  SessionClock,
  SessionCreateResult,
  SessionDataChange,
  SessionReadResult,
  StoredSession,
  StoredSessionSummary,
} from './stored-session.js';

/** Options of a RedisSessionStore beyond its key prefix. */
export interface RedisSessionStoreOptions {
  /** Wait for replicas on logins, rotations, revocations and roles changes (module option). */
  readonly replicaAcknowledgement?: ReplicaAcknowledgement;
  /**
   * How long Redis keeps a session past its deadline, so that a late read reports it as
   * expired (the `expired-on-read` event) rather than unknown. Expiry itself is decided by the
   * stored timestamps, so this never extends a session.
   * @default 60000
   */
  readonly expiryGraceMs?: number;
  /**
   * `coalesced`: the store's commands of one event-loop turn leave in one socket write (see the
   * module option `socketWrites`).
   * @default 'coalesced'
   */
  readonly socketWrites?: SessionSocketWrites;
}

const DEFAULT_EXPIRY_GRACE_MS = 60_000;

// Commands per coalesced write. Redis answers a batch only once it ran all of it, so a long one
// leaves Node idle meanwhile: store reads with 100 in flight peaked at batches of 32 to 48
// (132k-140k/s against 84k/s one write each, 78k/s unbounded; bench/profiles/store-read.md).
const MAX_COMMANDS_PER_WRITE = 32;

const MISSING: SessionReadResult = Object.freeze({ status: 'missing' });
const SUPERSEDED: SessionReadResult = Object.freeze({ status: 'superseded' });

/** A read script's session, sent as one JSON array of field/value pairs (see the script). */
function found(json: unknown, forwardedTo?: TokenDigest): SessionReadResult {
  const session = typeof json === 'string' ? decodeStoredSession(parseFlatFields(json)) : null;
  // A corrupt record (missing fields, wrong type) is no session; the script deleted it.
  if (session === null) return MISSING;
  return forwardedTo === undefined
    ? { status: 'found', session }
    : { status: 'found', session, forwardedTo };
}

function parseFlatFields(json: string): unknown[] {
  try {
    const flat: unknown = JSON.parse(json);
    return Array.isArray(flat) ? flat : [];
  } catch {
    return [];
  }
}

// Index entries live at least this long after a revoke-all, so that the generation it moved
// still refuses a login that was in flight.
const MIN_INDEX_TTL_MS = 3_600_000;

/**
 * SessionStore on Redis (standalone, Sentinel or Cluster). Every operation is one script call:
 * one round trip, atomic, and on a single hash slot. Key layout: see `redis-keys.ts`.
 *
 * @publicApi
 */
export class RedisSessionStore extends SessionStore {
  private readonly scripts: RedisScriptRunner;
  private readonly keys: SessionKeys;
  private readonly graceMs: number;
  private readScript:
    | {
        readonly idleTimeoutMs: number;
        readonly touchIntervalMs: number;
        readonly script: SessionScript;
      }
    | undefined;

  /** `keyPrefix` must not contain braces (see the options). */
  constructor(
    client: SessionRedisClient,
    keyPrefix: string,
    options: RedisSessionStoreOptions = {},
  ) {
    super();
    this.keys = new SessionKeys(keyPrefix);
    this.graceMs = options.expiryGraceMs ?? DEFAULT_EXPIRY_GRACE_MS;
    this.scripts = new RedisScriptRunner(
      client,
      SESSION_SCRIPTS,
      options.replicaAcknowledgement,
      (options.socketWrites ?? DEFAULT_SESSION_OPTIONS.socketWrites) === 'coalesced'
        ? new SocketWriteCoalescer(client, MAX_COMMANDS_PER_WRITE)
        : undefined,
    );
  }

  async read(address: SessionAddress, clock: SessionClock): Promise<SessionReadResult> {
    const reply = await this.run(this.readScriptFor(clock), false, [
      this.keys.session(address),
      clock.nowMs,
    ]);
    if (typeof reply === 'string') return found(reply);
    if (reply === -3) return SUPERSEDED;
    if (!Array.isArray(reply)) return MISSING;
    if (reply[0] === -2) return found(reply[2], String(reply[1]) as TokenDigest);
    if (reply[0] === -1) {
      return {
        status: 'expired',
        sessionId: String(reply[1]),
        userId: reply[2] ? String(reply[2]) : null,
      };
    }
    return MISSING;
  }

  async create(
    address: SessionAddress,
    session: StoredSession,
    options: SessionCreateOptions,
  ): Promise<SessionCreateResult> {
    const sessionKey = this.keys.session(address);
    const keys =
      session.userId === null
        ? [sessionKey]
        : [sessionKey, this.keys.userIndex(address.shard, session.userId)];
    const indexTtlMs = Math.max(
      session.absoluteExpiresAt - session.lastSeenAt + this.graceMs,
      options.ttlMs + this.graceMs,
      MIN_INDEX_TTL_MS,
    );
    const reply = await this.runCreate(address, session.userId !== null, [
      keys.length,
      ...keys,
      options.ttlMs + this.graceMs,
      indexTtlMs,
      address.digest,
      session.publicId,
      this.keys.sessionKeyPrefix(address.shard),
      options.clock.nowMs,
      options.clock.idleTimeoutMs,
      options.expectedGeneration ?? '',
      options.limit?.maxSessions ?? 0,
      options.limit?.policy === 'refuse' ? 'refuse' : 'evict',
      ...encodeStoredSession(session),
    ]);
    if (reply === -1) return { status: 'limit-reached' };
    if (reply === -2) return { status: 'revoked-meanwhile' };
    if (!Array.isArray(reply))
      throw new SessionStoreUnavailableError({ cause: new Error('session id collision') });
    return { status: 'created', evicted: reply.slice(1).map(String) };
  }

  async save(address: SessionAddress, change: SessionDataChange): Promise<boolean> {
    const set = Object.entries(change.set).flatMap(([key, value]) => [dataField(key), value]);
    const unset = change.unset.map(dataField);
    const reply = await this.run(saveSessionScript, false, [
      this.keys.session(address),
      this.keys.sessionKeyPrefix(address.shard),
      set.length / 2,
      ...set,
      ...unset,
    ]);
    return reply === 1;
  }

  async rotate(
    from: SessionAddress,
    to: SessionAddress,
    change?: {
      readonly elevatedUntil?: number;
      readonly forwardOldMs?: number;
      readonly supersedeOldMs?: number;
    },
  ): Promise<boolean> {
    if (from.shard !== to.shard) throw new Error('rotate() needs two addresses of the same shard');
    const forwardOldMs = wholeMilliseconds('forwardOldMs', change?.forwardOldMs);
    const supersedeOldMs = wholeMilliseconds('supersedeOldMs', change?.supersedeOldMs);
    const fields =
      change?.elevatedUntil === undefined ? [] : [SessionField.elevatedUntil, change.elevatedUntil];
    const reply = await this.run(rotateSessionScript, true, [
      this.keys.session(from),
      this.keys.session(to),
      this.keys.userIndex(from.shard, ''),
      to.digest,
      forwardOldMs,
      supersedeOldMs,
      ...fields,
    ]);
    return reply === 1;
  }

  async take(
    address: SessionAddress,
    options?: { readonly supersedeMs?: number },
  ): Promise<StoredSession | null> {
    const supersedeMs = wholeMilliseconds('supersedeMs', options?.supersedeMs);
    const reply = await this.run(takeSessionScript, true, [
      this.keys.session(address),
      this.keys.userIndex(address.shard, ''),
      supersedeMs,
    ]);
    return Array.isArray(reply) ? decodeStoredSession(reply) : null;
  }

  async list(
    userId: string,
    clock: Pick<SessionClock, 'nowMs' | 'idleTimeoutMs'>,
  ): Promise<StoredSessionSummary[]> {
    const shard = shardOfUser(userId);
    const reply = await this.run(listSessionsScript, false, [
      this.keys.userIndex(shard, userId),
      this.keys.sessionKeyPrefix(shard),
      clock.nowMs,
      clock.idleTimeoutMs,
    ]);
    // l and a are stored as offsets from c (see session-record-codec.ts).
    return (reply as string[][]).map(
      ([publicId, created, lastSeen, absolute, elevated, ip, userAgent]) => ({
        publicId: String(publicId),
        createdAt: Number(created),
        lastSeenAt: Number(created) + Number(lastSeen),
        absoluteExpiresAt: Number(created) + Number(absolute),
        elevatedUntil: elevated ? Number(elevated) : null,
        device:
          ip || userAgent
            ? { ip: String(ip), userAgent: unpackUserAgent(String(userAgent)) }
            : null,
      }),
    );
  }

  async revoke(userId: string, publicId: string): Promise<boolean> {
    const shard = shardOfUser(userId);
    const reply = await this.run(revokeSessionScript, true, [
      this.keys.userIndex(shard, userId),
      this.keys.sessionKeyPrefix(shard),
      publicId,
    ]);
    return reply === 1;
  }

  async revokeAll(userId: string, options?: { readonly except?: string }): Promise<string[]> {
    const shard = shardOfUser(userId);
    const reply = await this.run(revokeAllSessionsScript, true, [
      this.keys.userIndex(shard, userId),
      this.keys.sessionKeyPrefix(shard),
      options?.except ?? '',
      MIN_INDEX_TTL_MS,
    ]);
    return (reply as unknown[]).map(String);
  }

  async updateUser(userId: string, change: { readonly roles: readonly string[] }): Promise<number> {
    const shard = shardOfUser(userId);
    // Durable: this is how roles are taken away, and it moves the user's generation.
    const reply = await this.run(updateUserSessionsScript, true, [
      this.keys.userIndex(shard, userId),
      this.keys.sessionKeyPrefix(shard),
      MIN_INDEX_TTL_MS,
      SessionField.roles,
      JSON.stringify(change.roles),
    ]);
    return Number(reply);
  }

  async generation(userId: string): Promise<string> {
    const index = this.keys.userIndex(shardOfUser(userId), userId);
    return (await this.scripts.call((client) => client.hget(index, '#g'))) ?? '0';
  }

  // A create that failed here (503) never hands out its token, but the primary may hold the
  // session: one the replicas did not confirm, or one that timed out here while still queued
  // there. Unused, it would count toward the user's session limit until it idled out, so it
  // is deleted (best effort). The delete follows the create on the same connection, so Redis
  // runs it after the create. After a replica shortfall the primary has answered, and the 503
  // waits for the delete; after a timeout or a lost connection the delete may take as long
  // again, and the 503 does not wait.
  private async runCreate(address: SessionAddress, durable: boolean, args: ScriptArgs) {
    try {
      return await this.run(createSessionScript, durable, args);
    } catch (error) {
      const keys = [this.keys.session(address), this.keys.userIndex(address.shard, '')];
      const deleted = this.run(takeSessionScript, false, [...keys, 0]).catch(() => undefined);
      if (isReplicaShortfall(error)) await deleted;
      throw error;
    }
  }

  // A store is read with one set of timeouts (the module's options), so this builds one script;
  // another clock gets its own.
  private readScriptFor(clock: SessionClock): SessionScript {
    const last = this.readScript;
    if (
      last !== undefined &&
      last.idleTimeoutMs === clock.idleTimeoutMs &&
      last.touchIntervalMs === clock.touchIntervalMs
    ) {
      return last.script;
    }
    const { idleTimeoutMs, touchIntervalMs } = clock;
    const script = readSessionScript({ idleTimeoutMs, touchIntervalMs, graceMs: this.graceMs });
    this.readScript = { idleTimeoutMs, touchIntervalMs, script };
    return script;
  }

  private run(script: SessionScript, durable: boolean, args: ScriptArgs): Promise<unknown> {
    return this.scripts.run(script, durable, args);
  }
}
