import { SessionStoreUnavailableError } from '../errors/session-store-unavailable.error.js';
import type { SessionRedisClient } from '../redis/create-redis-client.js';
import { SessionKeys } from '../redis/redis-keys.js';
import type { SessionAddress } from '../token/session-token.js';
import { decodeStoredSession, encodeStoredSession } from './session-record-codec.js';
import { SessionStore } from './session-store.js';
import { SESSION_SCRIPTS, type SessionScript } from './redis-session.scripts.js';
import type {
  SessionClock,
  SessionDataChange,
  SessionReadResult,
  StoredSession,
} from './stored-session.js';

type ScriptCommand = (...args: Array<string | number>) => Promise<unknown>;

/**
 * SessionStore on Redis (standalone, Sentinel or Cluster). Every operation is one script call:
 * one round trip, atomic, and on a single hash slot. Key layout: see `redis-keys.ts`.
 *
 * @publicApi
 */
export class RedisSessionStore extends SessionStore {
  private readonly scripts: Record<string, ScriptCommand>;
  private readonly keys: SessionKeys;

  /** `keyPrefix` must not contain braces (see the options). */
  constructor(
    private readonly client: SessionRedisClient,
    keyPrefix: string,
  ) {
    super();
    this.keys = new SessionKeys(keyPrefix);
    this.scripts = Object.fromEntries(
      SESSION_SCRIPTS.map((script) => [script.name, this.define(script)]),
    );
  }

  async read(address: SessionAddress, clock: SessionClock): Promise<SessionReadResult> {
    const reply = await this.run('nestSessionRead', [
      this.keys.session(address),
      clock.nowMs,
      clock.idleTimeoutMs,
      clock.touchIntervalMs,
    ]);
    if (reply === 1) return { status: 'expired' };
    const session = Array.isArray(reply) ? decodeStoredSession(reply) : null;
    if (session === null) {
      // A corrupt record (missing fields, wrong type) is no session; the script deleted it.
      return { status: 'missing' };
    }
    return { status: 'found', session };
  }

  async create(address: SessionAddress, session: StoredSession, ttlMs: number): Promise<void> {
    const sessionKey = this.keys.session(address);
    const keys =
      session.userId === null
        ? [sessionKey]
        : [sessionKey, this.keys.userIndex(address.shard, session.userId)];
    const indexTtlMs = Math.max(session.absoluteExpiresAt - session.lastSeenAt, ttlMs);
    await this.run('nestSessionCreate', [
      keys.length,
      ...keys,
      ttlMs,
      indexTtlMs,
      address.digest,
      session.publicId,
      this.keys.sessionKeyPrefix(address.shard),
      ...encodeStoredSession(session),
    ]);
  }

  async save(address: SessionAddress, change: SessionDataChange): Promise<boolean> {
    const set = Object.entries(change.set).flatMap(([key, value]) => ['.' + key, value]);
    const unset = change.unset.map((key) => '.' + key);
    const reply = await this.run('nestSessionSave', [
      this.keys.session(address),
      set.length / 2,
      ...set,
      ...unset,
    ]);
    return reply === 1;
  }

  async rotate(from: SessionAddress, to: SessionAddress): Promise<boolean> {
    if (from.shard !== to.shard) throw new Error('rotate() needs two addresses of the same shard');
    const reply = await this.run('nestSessionRotate', [
      this.keys.session(from),
      this.keys.session(to),
      this.keys.userIndex(from.shard, ''),
      to.digest,
    ]);
    return reply === 1;
  }

  async take(address: SessionAddress): Promise<StoredSession | null> {
    const reply = await this.run('nestSessionTake', [
      this.keys.session(address),
      this.keys.userIndex(address.shard, ''),
    ]);
    return Array.isArray(reply) ? decodeStoredSession(reply) : null;
  }

  private async run(name: string, args: Array<string | number>): Promise<unknown> {
    const command = this.scripts[name];
    if (!command) throw new Error(`Unknown session script ${name}`);
    try {
      return await command(...args);
    } catch (error) {
      throw new SessionStoreUnavailableError({ cause: error });
    }
  }

  // defineCommand sends EVALSHA and falls back to EVAL once per node when the script is unknown.
  private define(script: SessionScript): ScriptCommand {
    const client = this.client as unknown as Record<string, ScriptCommand | undefined>;
    if (typeof client[script.name] !== 'function') {
      this.client.defineCommand(script.name, {
        numberOfKeys: script.numberOfKeys,
        lua: script.lua,
      });
    }
    const command = client[script.name] as ScriptCommand;
    return (...args) => command.apply(this.client, args);
  }
}
