import fc from 'fast-check';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { RedisSessionStore } from 'nest-redis-session';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';
import { SessionKeys } from '../src/redis/redis-keys.js';
import { decodeStoredSession } from '../src/store/session-record-codec.js';
import type { SessionStore } from '../src/store/session-store.js';
import type { SessionLimit, StoredSession } from '../src/store/stored-session.js';
import {
  addressOfToken,
  generatePublicSessionId,
  generateSessionToken,
  randomShard,
  shardOfUser,
  type SessionAddress,
  type TokenDigest,
} from '../src/token/session-token.js';
import { SessionStoreModel, modelKey } from './session-store.model.js';

/*
 * Model-based test: random command sequences run against the real RedisSessionStore and against
 * SessionStoreModel (plain Maps); every answer, and afterwards every stored session, every
 * user's index and generation, must agree.
 *
 * Time. The clock handed to the store is fake: it moves 1 ms per command (so no two sessions
 * share a last-seen time and LRU eviction is never a tie) and by whole multiples of 10 s when
 * "time passes". Redis key TTLs are real time and long (10 min idle, an hour for the index),
 * so only the clock arguments decide expiry. A touch sets the real TTL to what is left before
 * the absolute deadline; with the clock on a 10 s grid that is either <= 0 (no touch: expired)
 * or close to 10 s or more, far longer than one run, so Redis never drops a key by itself here.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const IDLE = 10 * MINUTE;
const TOUCH = MINUTE;
// Sessions live 4 min (dead by the absolute deadline before they can idle out) or 30 min
// (idle out unless read often, then reach the absolute deadline).
const LIFETIMES = { short: 4 * MINUTE, long: 30 * MINUTE } as const;
const ELEVATION = 5 * MINUTE;
// Superseded marks outlive a run: Redis expires them by the wall clock, the model never does.
const MARK_MS = 3_600_000;
const LIMIT: SessionLimit = { maxSessions: 4, policy: 'evict-least-recently-used' };
const USERS = ['u0', 'u1', 'u2:{x}'] as const;
const ROLES = ['user', 'admin', 'editor'] as const;
const DATA_KEYS = ['a', 'b', 'cart', '__proto__'] as const;
const DATA_VALUES = ['1', '"v"', '[1,2]', '{"n":null}', '""'] as const;
const DEVICES = [
  { ip: '10.0.0.1', userAgent: 'Phone/1.0' },
  { ip: '2001:db8::1', userAgent: 'Laptop/2.0' },
  null,
] as const;

type UserIndex = 0 | 1 | 2;

type Command =
  | {
      kind: 'create';
      owner: UserIndex | 'anonymous';
      generation: 'none' | 'current' | 'stale';
      lifetime: keyof typeof LIFETIMES;
      device: 0 | 1 | 2;
      data: Record<string, string>;
    }
  | { kind: 'read'; handle: number }
  | { kind: 'rotate'; handle: number; elevate: boolean; mark?: boolean }
  | { kind: 'save'; handle: number; set: Record<string, string>; unset: string[] }
  | { kind: 'logout'; handle: number; mark?: boolean }
  | { kind: 'list'; user: UserIndex }
  | { kind: 'revoke'; user: UserIndex; target: 'handle' | 'unknown' | '#g'; handle: number }
  | { kind: 'revokeOthers'; handle: number }
  | { kind: 'revokeAll'; user: UserIndex }
  | { kind: 'passwordChange'; handle: number }
  | { kind: 'updateUser'; user: UserIndex; roles: string[] }
  | { kind: 'timePasses'; tenSeconds: number };

// Skewed towards u0, the user with most sessions.
const user = fc.constantFrom<UserIndex>(0, 0, 0, 1, 1, 2);
const handle = fc.nat({ max: 1000 });
const data = fc.dictionary(fc.constantFrom(...DATA_KEYS), fc.constantFrom(...DATA_VALUES), {
  maxKeys: 3,
});

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('create'),
      // Mostly u0, so that one user often has enough sessions for the limit to bite.
      owner: fc.constantFrom<UserIndex | 'anonymous'>(0, 0, 0, 0, 0, 0, 1, 1, 2, 'anonymous'),
      generation: fc.constantFrom('none', 'current', 'stale'),
      lifetime: fc.constantFrom('long', 'short'),
      device: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
      data,
    }),
  },
  { weight: 7, arbitrary: fc.record({ kind: fc.constant('read'), handle }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('rotate'),
      handle,
      elevate: fc.boolean(),
      mark: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('save'),
      handle,
      set: data,
      unset: fc.uniqueArray(fc.constantFrom(...DATA_KEYS), { maxLength: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('logout'), handle, mark: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('list'), user }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('revoke'),
      user,
      target: fc.constantFrom('handle', 'handle', 'unknown', '#g'),
      handle,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revokeOthers'), handle }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revokeAll'), user }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('passwordChange'), handle }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('updateUser'),
      user,
      roles: fc.uniqueArray(fc.constantFrom(...ROLES), { maxLength: 3 }),
    }),
  },
  {
    weight: 3,
    // Mostly less than the idle timeout (sessions survive and age towards the absolute one),
    // sometimes up to 15 min: across the touch interval, the idle and the absolute timeouts.
    arbitrary: fc.record({
      kind: fc.constant('timePasses'),
      tenSeconds: fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: 1, max: 30 }) },
        { weight: 1, arbitrary: fc.integer({ min: 31, max: 90 }) },
      ),
    }),
  },
);

const login = (owner: UserIndex, extra: Partial<Command & { kind: 'create' }> = {}): Command => ({
  kind: 'create',
  owner,
  generation: 'none',
  lifetime: 'long',
  device: 0,
  data: {},
  ...extra,
});

/** A scripted run that reaches every outcome the random runs only reach now and then. */
const EVERY_OUTCOME: Command[] = [
  login(0), // handle 0
  login(0), // 1
  login(0), // 2
  login(0), // 3
  { kind: 'timePasses', tenSeconds: 6 },
  { kind: 'read', handle: 0 }, // touched: 1 is now the least recently seen
  login(0, { generation: 'current' }), // 4, evicts 1
  { kind: 'list', user: 0 },
  { kind: 'updateUser', user: 0, roles: ['admin'] },
  { kind: 'read', handle: 2 }, // rotation due
  { kind: 'rotate', handle: 2, elevate: true, mark: true }, // 5
  { kind: 'read', handle: 2 }, // superseded
  { kind: 'rotate', handle: 5, elevate: false, mark: true }, // 6
  { kind: 'logout', handle: 5 }, // takes 6 through the mark at 5
  { kind: 'revoke', user: 0, target: 'handle', handle: 3 },
  { kind: 'save', handle: 3, set: { a: '1' }, unset: [] }, // refused: revoked
  { kind: 'revokeAll', user: 0 },
  login(0, { generation: 'stale' }), // 7, revoked meanwhile
  login(1, { lifetime: 'short' }), // 8
  { kind: 'timePasses', tenSeconds: 30 },
  { kind: 'read', handle: 8 }, // past its absolute deadline, not idle yet
  login(2), // 9
  { kind: 'timePasses', tenSeconds: 66 },
  { kind: 'read', handle: 9 }, // idle
];

/** A session address the run has seen, live or not (reading dead ones is part of the test). */
interface Handle {
  readonly address: SessionAddress;
  readonly publicId: string;
  readonly userId: string | null;
}

const byId = (a: { publicId: string }, b: { publicId: string }) =>
  a.publicId < b.publicId ? -1 : a.publicId > b.publicId ? 1 : 0;

/** Plain, key-sorted copy of session data, so that both sides compare equal field by field. */
function plainData(record: Readonly<Record<string, string>>): Array<[string, string]> {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function comparable(session: StoredSession | null) {
  return session === null ? null : { ...session, data: plainData(session.data) };
}

describe('RedisSessionStore agrees with a Map model on random command sequences', () => {
  const client = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  afterAll(() => client.quit());
  /** Which interesting outcomes the runs reached: a generator that stopped reaching one fails. */
  const outcomes = new Map<string, number>();
  const note = (outcome: string) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);

  /** Runs one sequence; throws (an `expect`) at the first disagreement. */
  async function runSequence(commands: readonly Command[]): Promise<void> {
    const prefix = uniquePrefix('model');
    const keys = new SessionKeys(prefix);
    const redis = new RedisSessionStore(client, prefix);
    const model = new SessionStoreModel();
    const handles: Handle[] = [];
    let now = Date.now();

    const clock = () => ({ nowMs: now, idleTimeoutMs: IDLE, touchIntervalMs: TOUCH });
    const pick = (index: number) => handles[index % handles.length]!;
    const sibling = (of: SessionAddress) => addressOfToken(generateSessionToken(of.shard));

    /** Runs `operation` on both stores, in turn, and expects the same (normalised) answer. */
    async function both<T>(
      step: string,
      operation: (store: SessionStore) => Promise<T>,
      normalise: (value: T) => unknown = (value) => value,
    ): Promise<T> {
      const actual = await operation(redis);
      const expected = await operation(model);
      expect({ step, answer: normalise(actual) }).toEqual({ step, answer: normalise(expected) });
      return actual;
    }

    const sortedIds = (ids: readonly string[]) => [...ids].sort();

    /** Notes which expiry rule removed sessions during an operation that takes the clock. */
    async function noteExpiries<T>(operation: () => Promise<T>): Promise<T> {
      const before = [...model.stored];
      const result = await operation();
      for (const [key, session] of before) {
        if (model.stored.has(key)) continue;
        const idle = now >= session.lastSeenAt + IDLE;
        const absolute = now >= session.absoluteExpiresAt;
        if (idle !== absolute) note(idle ? 'expired idle' : 'expired absolute');
      }
      return result;
    }

    async function rotate(
      from: Handle,
      elevate: boolean,
      step: string,
      mark = false,
    ): Promise<boolean> {
      const to = sibling(from.address);
      const change = {
        ...(elevate && { elevatedUntil: now + ELEVATION }),
        ...(mark && { supersedeOldMs: MARK_MS }),
      };
      const rotated = await both(step, (store) => store.rotate(from.address, to, change));
      handles.push({ ...from, address: to });
      if (rotated) note('rotated');
      return rotated;
    }

    /** What both stores hold after a command: sessions, users' indexes and generations. */
    async function expectSameState(step: string): Promise<void> {
      const pipeline = client.pipeline();
      const addresses = [...new Map(handles.map((h) => [modelKey(h.address), h.address])).values()];
      for (const address of addresses) pipeline.hgetall(keys.session(address));
      for (const userId of USERS) pipeline.hgetall(keys.userIndex(shardOfUser(userId), userId));
      const replies = (await pipeline.exec())!.map(([error, reply]) => {
        if (error) throw error;
        return reply as Record<string, string>;
      });

      const stored = addresses.map((address, i) => {
        const flat = Object.entries(replies[i]!).flat();
        return [
          modelKey(address),
          flat.length === 0 ? null : comparable(decodeStoredSession(flat)),
        ];
      });
      const expectedStored = addresses.map((address) => [
        modelKey(address),
        comparable(model.stored.get(modelKey(address)) ?? null),
      ]);
      expect({ step, stored }).toEqual({ step, stored: expectedStored });

      USERS.forEach((userId, u) => {
        const index = replies[addresses.length + u]!;
        const shard = shardOfUser(userId);
        // Entries whose session is gone may linger until the next list or create: skip those.
        const live = Object.entries(index)
          .filter(([field]) => field !== '#g')
          .filter(([, digest]) =>
            model.stored.has(modelKey({ shard, digest: digest as TokenDigest })),
          )
          .sort();
        const expectedLive = [...model.stored]
          .filter(([, session]) => session.userId === userId)
          .map(([key, session]) => [session.publicId, key.slice(key.indexOf(':') + 1)])
          .sort();
        expect({ step, userId, index: live }).toEqual({ step, userId, index: expectedLive });
      });
      for (const userId of USERS) {
        await both(`${step} / generation(${userId})`, (store) => store.generation(userId));
      }
    }

    for (const [position, command] of commands.entries()) {
      now += 1;
      const step = `#${position} ${JSON.stringify(command)}`;
      switch (command.kind) {
        case 'create': {
          const userId = command.owner === 'anonymous' ? null : USERS[command.owner];
          const shard = userId === null ? randomShard() : shardOfUser(userId);
          const address = addressOfToken(generateSessionToken(shard));
          const session: StoredSession = {
            publicId: generatePublicSessionId(),
            userId,
            createdAt: now,
            lastSeenAt: now,
            absoluteExpiresAt: now + LIFETIMES[command.lifetime],
            roles: userId === null ? [] : ['user'],
            elevatedUntil: null,
            device: DEVICES[command.device],
            rotationDue: false,
            data: command.data,
          };
          let expectedGeneration: string | undefined;
          if (userId !== null && command.generation !== 'none') {
            const current = Number(await model.generation(userId));
            expectedGeneration = String(
              command.generation === 'stale' && current > 0 ? current - 1 : current,
            );
          }
          const created = await noteExpiries(() =>
            both(
              step,
              (store) =>
                store.create(address, session, {
                  ttlMs: IDLE,
                  clock: { nowMs: now, idleTimeoutMs: IDLE },
                  limit: LIMIT,
                  ...(expectedGeneration !== undefined && { expectedGeneration }),
                }),
              (result) =>
                result.status === 'created'
                  ? { ...result, evicted: sortedIds(result.evicted) }
                  : result,
            ),
          );
          handles.push({ address, publicId: session.publicId, userId });
          note(`create ${created.status}`);
          if (created.status === 'created' && created.evicted.length > 0) note('evicted');
          break;
        }
        case 'read': {
          if (handles.length === 0) break;
          const read = await noteExpiries(() =>
            both(
              step,
              (store) => store.read(pick(command.handle).address, clock()),
              (result) =>
                result.status === 'found'
                  ? { ...result, session: comparable(result.session) }
                  : result,
            ),
          );
          if (read.status === 'superseded') note('read superseded');
          if (read.status === 'found') {
            if (read.session.lastSeenAt === now && read.session.createdAt !== now) {
              note('touched');
            }
            if (read.session.rotationDue) note('rotation due');
          }
          break;
        }
        case 'rotate': {
          if (handles.length === 0) break;
          await rotate(pick(command.handle), command.elevate, step, command.mark);
          break;
        }
        case 'save': {
          if (handles.length === 0) break;
          const change = { set: command.set, unset: command.unset };
          const saved = await both(step, (store) =>
            store.save(pick(command.handle).address, change),
          );
          if (!saved) note('late save refused');
          break;
        }
        case 'logout': {
          if (handles.length === 0) break;
          const options = command.mark ? { supersedeMs: MARK_MS } : undefined;
          const address = pick(command.handle).address;
          const held = model.stored.has(modelKey(address));
          const taken = await both(step, (store) => store.take(address, options), comparable);
          if (taken !== null && !held) note('taken through a mark');
          break;
        }
        case 'list': {
          const userId = USERS[command.user];
          const listed = await noteExpiries(() =>
            both(
              step,
              (store) => store.list(userId, { nowMs: now, idleTimeoutMs: IDLE }),
              (summaries) => [...summaries].sort(byId),
            ),
          );
          if (listed.length >= 2) note('listed several');
          break;
        }
        case 'revoke': {
          const userId = USERS[command.user];
          const publicId =
            command.target === '#g'
              ? '#g'
              : command.target === 'unknown' || handles.length === 0
                ? generatePublicSessionId()
                : pick(command.handle).publicId; // may well be another user's
          if (await both(step, (store) => store.revoke(userId, publicId))) note('revoked');
          break;
        }
        case 'revokeOthers': {
          if (handles.length === 0) break;
          const current = pick(command.handle);
          // An anonymous handle: "all but a session that is not the user's" is all of them.
          const userId = current.userId ?? USERS[0];
          await both(
            step,
            (store) => store.revokeAll(userId, { except: current.publicId }),
            sortedIds,
          );
          break;
        }
        case 'revokeAll': {
          const userId = USERS[command.user];
          const revoked = await both(step, (store) => store.revokeAll(userId), sortedIds);
          if (revoked.length > 0) note('revoked all');
          break;
        }
        case 'passwordChange': {
          if (handles.length === 0) break;
          const current = pick(command.handle);
          if (current.userId === null) break;
          const userId = current.userId;
          await rotate(current, true, `${step} / rotate`);
          await both(
            `${step} / revokeAll`,
            (store) => store.revokeAll(userId, { except: current.publicId }),
            sortedIds,
          );
          break;
        }
        case 'updateUser': {
          const userId = USERS[command.user];
          await both(step, (store) => store.updateUser(userId, { roles: command.roles }));
          break;
        }
        case 'timePasses':
          now += command.tenSeconds * 10 * SECOND;
          break;
        default:
          command satisfies never;
      }
      await expectSameState(step);
    }
  }

  it('answers and stores like the model across 100 runs of up to 30 commands', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { maxLength: 30, size: 'max' }), async (commands) => {
        await runSequence(commands);
      }),
      { numRuns: 100, examples: [[EVERY_OUTCOME]] },
    );
    // Random runs reach most outcomes; the scripted example guarantees the rare ones.
    expect([...outcomes.keys()].sort()).toEqual(
      [
        'create created',
        'create revoked-meanwhile',
        'evicted',
        'expired absolute',
        'expired idle',
        'late save refused',
        'listed several',
        'read superseded',
        'taken through a mark',
        'revoked',
        'revoked all',
        'rotated',
        'rotation due',
        'touched',
      ].sort(),
    );
  }, 60_000);
});
