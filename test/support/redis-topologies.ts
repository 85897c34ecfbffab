import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { startRedisSentinel, startRedisServer, type RedisServerHandle } from './redis-server.js';

/**
 * Sentinel and Cluster topologies of real redis-server processes on free loopback ports
 * (RELIABILITY.md §3.1, §3.2). Every process is a `RedisServerHandle` of the harness: tracked by
 * PID, stopped by PID, its own temp dir removed. Readiness is polled with deadlines.
 */

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const HOST = '127.0.0.1';
const POLL_INTERVAL_MS = 50;
const QUERY_TIMEOUT_MS = 500;
const REPLICA_SYNC_DEADLINE_MS = 5_000;
const SENTINEL_READY_DEADLINE_MS = 10_000;
const CLUSTER_CREATE_TIMEOUT_MS = 15_000;
const CLUSTER_READY_DEADLINE_MS = 10_000;
const SLOT_COUNT = 16_384;

const execFileAsync = promisify(execFile);

// ---------------------------------------------------------------------------------------------
// Sentinel
// ---------------------------------------------------------------------------------------------

export const SENTINEL_MASTER_NAME = 'mymaster';

export interface SentinelTopologyOptions {
  /** Replicas of the primary (default 1). */
  replicas?: 1 | 2;
}

export interface SentinelTopology {
  /** The three sentinels, for `createRedisClient({ sentinels, name })`. */
  readonly sentinels: readonly HostPort[];
  readonly name: typeof SENTINEL_MASTER_NAME;
  /** The primary at start; after a failover it is whatever Sentinel made of it. */
  readonly primary: RedisServerHandle;
  /** The replicas at start. */
  readonly replicas: readonly RedisServerHandle[];
  readonly sentinelServers: readonly RedisServerHandle[];
  /** The data node (primary or replica) listening on `port`. */
  nodeByPort(port: number): RedisServerHandle | undefined;
  /** The primary's port as a majority of the sentinels reports it. */
  currentPrimaryPort(): Promise<number>;
  /**
   * Polls until all three sentinels report one primary other than `fromPort` and that node
   * answers `ROLE` as master; resolves its port. Rejects after `timeoutMs`.
   */
  waitForFailover(fromPort: number, timeoutMs: number): Promise<number>;
  /** Stops every process by PID (SIGCONT first, then SIGTERM; SIGKILL after 3 s). Idempotent. */
  stop(): Promise<void>;
}

/**
 * One primary, `replicas` replicas and three sentinels (quorum 2, down-after 1000 ms,
 * failover-timeout 5000 ms). Resolves when every sentinel sees the two others and every replica:
 * killing the primary earlier can leave a failover without a majority.
 */
export async function startSentinelTopology(
  options: SentinelTopologyOptions = {},
): Promise<SentinelTopology> {
  const replicaCount = options.replicas ?? 1;
  const started: RedisServerHandle[] = [];
  const stopAll = () => stopHandles(started);
  try {
    const primary = await startRedisServer();
    started.push(primary);
    const replicas = await Promise.all(
      Array.from({ length: replicaCount }, () =>
        startRedisServer({ extraArgs: ['--replicaof', HOST, String(primary.port)] }),
      ),
    );
    started.push(...replicas);
    await Promise.all(replicas.map((replica) => waitForReplicaLink(replica.port)));

    const sentinelConfig = [
      `sentinel monitor ${SENTINEL_MASTER_NAME} ${HOST} ${primary.port} 2`,
      `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 1000`,
      `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 5000`,
      `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
    ];
    const sentinelServers = await Promise.all(
      [0, 1, 2].map(() => startRedisSentinel({ config: sentinelConfig })),
    );
    started.push(...sentinelServers);

    await pollFor(
      `every sentinel to see 2 other sentinels and ${replicaCount} replica(s)`,
      async () => {
        const views = await Promise.all(
          sentinelServers.map((s) => tryQuery(s.port, 'SENTINEL', 'MASTER', SENTINEL_MASTER_NAME)),
        );
        const ready = views.every((view) => {
          const fields = flatPairs(view);
          return (
            fields.get('flags') === 'master' &&
            fields.get('num-other-sentinels') === '2' &&
            fields.get('num-slaves') === String(replicaCount)
          );
        });
        return ready ? true : undefined;
      },
      SENTINEL_READY_DEADLINE_MS,
    );

    const dataNodes = [primary, ...replicas];
    return {
      sentinels: sentinelServers.map((s) => ({ host: HOST, port: s.port })),
      name: SENTINEL_MASTER_NAME,
      primary,
      replicas,
      sentinelServers,
      nodeByPort: (port) => dataNodes.find((node) => node.port === port),
      currentPrimaryPort: async () => {
        const ports = await sentinelPrimaryPorts(sentinelServers);
        const majority = mostCommon(ports);
        if (majority === undefined || majority.count < 2) {
          throw new Error(`sentinels disagree on the primary: ${JSON.stringify(ports)}`);
        }
        return majority.value;
      },
      waitForFailover: (fromPort, timeoutMs) =>
        pollFor(
          `the sentinels to promote a primary other than port ${fromPort}`,
          async () => {
            const ports = await sentinelPrimaryPorts(sentinelServers);
            const [first] = ports;
            if (
              first === undefined ||
              first === fromPort ||
              ports.length !== sentinelServers.length ||
              ports.some((port) => port !== first)
            ) {
              return undefined;
            }
            const role = await tryQuery(first, 'ROLE');
            return Array.isArray(role) && role[0] === 'master' ? first : undefined;
          },
          timeoutMs,
        ),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function sentinelPrimaryPorts(sentinels: readonly RedisServerHandle[]): Promise<number[]> {
  const replies = await Promise.all(
    sentinels.map((s) =>
      tryQuery(s.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER_NAME),
    ),
  );
  return replies.flatMap((reply) =>
    Array.isArray(reply) && reply.length === 2 ? [Number(reply[1])] : [],
  );
}

function mostCommon(values: readonly number[]): { value: number; count: number } | undefined {
  let best: { value: number; count: number } | undefined;
  for (const value of new Set(values)) {
    const count = values.filter((v) => v === value).length;
    if (best === undefined || count > best.count) best = { value, count };
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Cluster
// ---------------------------------------------------------------------------------------------

/** One line of `CLUSTER NODES`. */
export interface ClusterNodeView {
  readonly id: string;
  readonly port: number;
  readonly flags: readonly string[];
  /** The primary's id for a replica, `undefined` for a primary. */
  readonly primaryId: string | undefined;
  /** Slot ranges served, inclusive. */
  readonly slots: ReadonlyArray<readonly [number, number]>;
}

export interface ClusterTopology {
  /** All six nodes, for `createRedisClient({ clusterNodes })`. */
  readonly nodes: readonly HostPort[];
  readonly servers: readonly RedisServerHandle[];
  nodeByPort(port: number): RedisServerHandle | undefined;
  /** `CLUSTER KEYSLOT` as the cluster computes it. */
  keySlot(key: string): Promise<number>;
  /** `CLUSTER NODES` as seen from a live node. */
  clusterNodes(): Promise<ClusterNodeView[]>;
  /** The live primary serving `slot`, as a live node sees it. */
  primaryForSlot(slot: number): Promise<RedisServerHandle>;
  /**
   * SIGKILLs the primary serving `key`'s slot and waits for its exit; resolves the slot, the
   * killed node, the replicas that followed it and when the signal was sent
   * (`performance.now()`).
   */
  killPrimaryOf(key: string): Promise<{
    slot: number;
    killed: RedisServerHandle;
    replicas: RedisServerHandle[];
    killedAt: number;
  }>;
  /**
   * Polls until every live node sees `slot` served by a primary other than `fromPort` that
   * answers `ROLE` as master; resolves that node. Rejects after `timeoutMs`.
   */
  waitForNewPrimary(slot: number, fromPort: number, timeoutMs: number): Promise<RedisServerHandle>;
  /** Polls until every live node reports `cluster_state:ok` with all 16384 slots ok. */
  waitForClusterOk(timeoutMs?: number): Promise<void>;
  /** Stops every node by PID (SIGCONT first). Idempotent. */
  stop(): Promise<void>;
}

/**
 * Three primaries and three replicas (`--cluster-node-timeout 1000`,
 * `--cluster-require-full-coverage no`), created with `redis-cli --cluster create
 * --cluster-replicas 1`. Resolves when every node reports `cluster_state:ok`, knows all six nodes
 * and serves all slots, and every replica's link to its primary is up.
 */
export async function startClusterTopology(): Promise<ClusterTopology> {
  const servers: RedisServerHandle[] = [];
  const killed = new Set<RedisServerHandle>();
  const stopAll = () => stopHandles(servers);
  const live = () => servers.filter((server) => !killed.has(server));
  try {
    const clusterArgs = [
      '--cluster-enabled',
      'yes',
      // Relative to the node's own fresh dir: never a stale nodes.conf.
      '--cluster-config-file',
      'nodes.conf',
      '--cluster-node-timeout',
      '1000',
      '--cluster-require-full-coverage',
      'no',
    ];
    servers.push(
      ...(await Promise.all(
        Array.from({ length: 6 }, () => startRedisServer({ extraArgs: clusterArgs })),
      )),
    );
    await execFileAsync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...servers.map((s) => `${HOST}:${s.port}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      { timeout: CLUSTER_CREATE_TIMEOUT_MS, killSignal: 'SIGKILL' },
    );

    const anyLiveNode = async <T>(what: string, run: (port: number) => Promise<T>) => {
      let lastError: unknown;
      for (const server of live()) {
        try {
          return await run(server.port);
        } catch (error) {
          lastError = error;
        }
      }
      throw new Error(`no live cluster node answered ${what}: ${String(lastError)}`);
    };
    const clusterNodes = () =>
      anyLiveNode('CLUSTER NODES', async (port) =>
        parseClusterNodes(String(await queryNode(port, 'CLUSTER', 'NODES'))),
      );
    const nodeByPort = (port: number) => servers.find((s) => s.port === port);
    const ownerOf = (views: readonly ClusterNodeView[], slot: number) =>
      views.find(
        (view) =>
          view.flags.includes('master') &&
          !view.flags.includes('fail') &&
          view.slots.some(([from, to]) => slot >= from && slot <= to),
      );

    const waitForClusterOk = async (timeoutMs = CLUSTER_READY_DEADLINE_MS): Promise<void> => {
      await pollFor(
        'every live cluster node to report cluster_state:ok with all slots ok',
        async () => {
          const infos = await Promise.all(live().map((s) => tryQuery(s.port, 'CLUSTER', 'INFO')));
          const ok = infos.every((info) => {
            const text = typeof info === 'string' ? info : '';
            return (
              text.includes('cluster_state:ok') &&
              text.includes(`cluster_slots_ok:${SLOT_COUNT}`) &&
              text.includes(`cluster_known_nodes:${servers.length}`)
            );
          });
          return ok ? true : undefined;
        },
        timeoutMs,
      );
    };

    await waitForClusterOk();
    // `--cluster create` returns once slots are assigned, but each primary learns of its
    // replica only by gossip, so a node asked at once may still list no replicas at all.
    // Failover tests need every node to agree on who replicates whom.
    const replicaPorts = await pollFor(
      'every live cluster node to list 3 replicas',
      async () => {
        const texts = await Promise.all(live().map((s) => tryQuery(s.port, 'CLUSTER', 'NODES')));
        let agreed: number[] | undefined;
        for (const text of texts) {
          if (typeof text !== 'string') return undefined;
          const ports = parseClusterNodes(text)
            .filter((v) => v.primaryId !== undefined)
            .map((v) => v.port)
            .sort((a, b) => a - b);
          if (ports.length !== 3) return undefined;
          if (agreed !== undefined && ports.join() !== agreed.join()) return undefined;
          agreed = ports;
        }
        return agreed;
      },
      CLUSTER_READY_DEADLINE_MS,
    );
    // A replica that never synced refuses to fail over (its data counts as too old).
    await Promise.all(replicaPorts.map((port) => waitForReplicaLink(port)));

    const primaryForSlot = async (slot: number): Promise<RedisServerHandle> => {
      const owner = ownerOf(await clusterNodes(), slot);
      const handle = owner && nodeByPort(owner.port);
      if (handle === undefined || killed.has(handle)) {
        throw new Error(`no live primary serves slot ${slot}`);
      }
      return handle;
    };

    return {
      nodes: servers.map((s) => ({ host: HOST, port: s.port })),
      servers,
      nodeByPort,
      keySlot: (key) =>
        anyLiveNode('CLUSTER KEYSLOT', async (port) =>
          Number(await queryNode(port, 'CLUSTER', 'KEYSLOT', key)),
        ),
      clusterNodes,
      primaryForSlot,
      killPrimaryOf: async (key) => {
        const slot = Number(
          await anyLiveNode('CLUSTER KEYSLOT', (port) =>
            queryNode(port, 'CLUSTER', 'KEYSLOT', key),
          ),
        );
        const nodes = await clusterNodes();
        const owner = ownerOf(nodes, slot);
        const primary = owner && nodeByPort(owner.port);
        if (owner === undefined || primary === undefined) {
          throw new Error(`no live primary serves slot ${slot}`);
        }
        const replicas = nodes
          .filter((view) => view.primaryId === owner.id)
          .flatMap((view) => nodeByPort(view.port) ?? []);
        const killedAt = performance.now();
        primary.kill('SIGKILL');
        killed.add(primary);
        await primary.waitForExit();
        return { slot, killed: primary, replicas, killedAt };
      },
      waitForNewPrimary: (slot, fromPort, timeoutMs) =>
        pollFor(
          `a primary other than port ${fromPort} to serve slot ${slot} on every live node`,
          async () => {
            const views = await Promise.all(
              live().map(async (s) => {
                const text = await tryQuery(s.port, 'CLUSTER', 'NODES');
                return typeof text === 'string' ? parseClusterNodes(text) : undefined;
              }),
            );
            const owners = views.map((view) => (view ? ownerOf(view, slot)?.port : undefined));
            const [first] = owners;
            if (first === undefined || first === fromPort || owners.some((o) => o !== first)) {
              return undefined;
            }
            const role = await tryQuery(first, 'ROLE');
            return Array.isArray(role) && role[0] === 'master' ? nodeByPort(first) : undefined;
          },
          timeoutMs,
        ),
      waitForClusterOk,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Parses `CLUSTER NODES` (`<id> <ip:port@cport> <flags> <master> ... <slot> <slot>...`). */
export function parseClusterNodes(text: string): ClusterNodeView[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [id = '', address = '', flags = '', primary = '-', , , , , ...slotFields] =
        line.split(' ');
      const port = Number(/:(\d+)@/.exec(address)?.[1]);
      const slots = slotFields
        // "[slot->-id]" / "[slot-<-id]": a migration in progress, not served.
        .filter((field) => !field.startsWith('['))
        .map((field): readonly [number, number] => {
          const [from, to = from] = field.split('-').map(Number) as [number, number?];
          return [from, to];
        });
      return {
        id,
        port,
        flags: flags.split(','),
        primaryId: primary === '-' ? undefined : primary,
        slots,
      };
    });
}

// ---------------------------------------------------------------------------------------------
// Traffic during a fault
// ---------------------------------------------------------------------------------------------

export type OutcomeKind = 'ok' | 'unavailable' | 'unexpected' | 'hung';

/** How one operation ended, for assertions on what clients saw during a fault. */
export interface Outcome {
  /** Start on the `performance.now()` clock. */
  readonly startedAt: number;
  readonly ms: number;
  readonly kind: OutcomeKind;
  readonly detail: string;
  /** Free-form tag of the caller (e.g. which shard the operation hit). */
  readonly label: string;
}

export interface ObserveOptions<T> {
  /** `ok` when this accepts the value, `unexpected` otherwise. */
  isExpected(value: T): boolean;
  /** Sorts a rejection into `unavailable` (an allowed, fast failure) or `unexpected`. */
  classifyError(error: unknown): { kind: 'unavailable' | 'unexpected'; detail: string };
  label?: string;
  /** Still pending after this: `hung`. Default 5000 ms. */
  hangGuardMs?: number;
}

/** Runs `operation` and classifies how it ended; never waits longer than the hang guard. */
export async function observe<T>(
  operation: () => Promise<T>,
  options: ObserveOptions<T>,
): Promise<Outcome> {
  const startedAt = performance.now();
  const settled = operation().then(
    (value) =>
      options.isExpected(value)
        ? { kind: 'ok' as const, detail: '' }
        : { kind: 'unexpected' as const, detail: `resolved ${safeJson(value)}` },
    (error: unknown) => options.classifyError(error),
  );
  const guard = sleep(
    options.hangGuardMs ?? 5_000,
    { kind: 'hung' as const, detail: '' },
    {
      ref: false,
    },
  );
  const result = await Promise.race([settled, guard]);
  return { ...result, label: options.label ?? '', startedAt, ms: performance.now() - startedAt };
}

export interface TrafficOptions {
  /** Default 20 ms. */
  intervalMs?: number;
  /** Default 1500. */
  maxOperations?: number;
  /** Default 25 s. */
  maxMs?: number;
}

export interface Traffic {
  /** The earliest-started settled outcome that matches, among those started at or after `time`. */
  firstStartedAfter(time: number, match: (outcome: Outcome) => boolean): Outcome | undefined;
  /** Stops issuing operations; resolves every outcome once all have settled, by start. Idempotent. */
  stop(): Promise<Outcome[]>;
}

/**
 * Open-loop traffic: starts `operation(i)` every `intervalMs` whether or not earlier ones have
 * settled (requests keep arriving during an outage), until `stop()`, `maxOperations` or `maxMs`.
 */
export function startTraffic(
  operation: (i: number) => Promise<Outcome>,
  { intervalMs = 20, maxOperations = 1_500, maxMs = 25_000 }: TrafficOptions = {},
): Traffic {
  const pending: Array<Promise<Outcome>> = [];
  const settled: Outcome[] = [];
  let stopRequested = false;
  const startedAt = performance.now();
  const loop = (async () => {
    for (
      let i = 0;
      i < maxOperations && !stopRequested && performance.now() - startedAt < maxMs;
      i++
    ) {
      pending.push(
        operation(i).then((outcome) => {
          settled.push(outcome);
          return outcome;
        }),
      );
      await sleep(intervalMs);
    }
  })();
  return {
    firstStartedAfter: (time, match) =>
      settled
        .filter((o) => o.startedAt >= time && match(o))
        .sort((a, b) => a.startedAt - b.startedAt)[0],
    stop: async () => {
      stopRequested = true;
      await loop;
      return (await Promise.all(pending)).sort((a, b) => a.startedAt - b.startedAt);
    },
  };
}

/** Counts, the slowest operation and the distinct failure causes, for a log line. */
export function summariseOutcomes(outcomes: readonly Outcome[]) {
  const count = (kind: OutcomeKind) => outcomes.filter((o) => o.kind === kind).length;
  return {
    total: outcomes.length,
    ok: count('ok'),
    unavailable: count('unavailable'),
    unexpected: count('unexpected'),
    hung: count('hung'),
    maxMs: Math.round(Math.max(0, ...outcomes.map((o) => o.ms))),
    causes: [...new Set(outcomes.filter((o) => o.kind !== 'ok').map((o) => o.detail))],
  };
}

/** Resolves once an ioredis client (Redis or Cluster) emits `ready`; rejects after `timeoutMs`. */
export function waitForReady(
  client: {
    readonly status: string;
    once(event: 'ready', listener: () => void): unknown;
    off(event: 'ready', listener: () => void): unknown;
  },
  timeoutMs = 5_000,
): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`client not ready within ${timeoutMs} ms (status ${client.status})`));
    }, timeoutMs);
    client.once('ready', onReady);
  });
}

function safeJson(value: unknown): string {
  try {
    return String(JSON.stringify(value)).slice(0, 200);
  } catch {
    return String(value);
  }
}

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

async function stopHandles(handles: readonly RedisServerHandle[]): Promise<void> {
  // In parallel: each stop() is bounded (SIGKILL 3 s after SIGTERM) and waits for its exit.
  await Promise.all(handles.map((handle) => handle.stop()));
}

/** Polls the replica's `INFO replication` until `master_link_status:up`. */
async function waitForReplicaLink(port: number): Promise<void> {
  await pollFor(
    `the replica on port ${port} to sync with its primary`,
    async () => {
      const info = await tryQuery(port, 'INFO', 'replication');
      return typeof info === 'string' && info.includes('master_link_status:up') ? true : undefined;
    },
    REPLICA_SYNC_DEADLINE_MS,
  );
}

/**
 * Calls `probe` every 50 ms until it resolves something other than `undefined`, and resolves
 * that; rejects once `timeoutMs` has passed, naming what it waited for.
 */
export async function pollFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

/** `queryNode` that resolves `undefined` instead of rejecting (node down, hung or loading). */
async function tryQuery(port: number, ...command: string[]): Promise<unknown> {
  try {
    return await queryNode(port, ...command);
  } catch {
    return undefined;
  }
}

/**
 * One command on a fresh RESP2 connection, closed afterwards: no client state survives a
 * killed or paused node. Bounded by `QUERY_TIMEOUT_MS` even against a SIGSTOPped process,
 * whose kernel still accepts the TCP connection.
 */
export async function queryNode(port: number, ...[name, ...args]: string[]): Promise<unknown> {
  if (name === undefined) throw new Error('query: no command');
  const client = new Redis({
    host: HOST,
    port,
    protocol: 2,
    lazyConnect: true,
    enableReadyCheck: false,
    enableOfflineQueue: false,
    connectTimeout: QUERY_TIMEOUT_MS,
    commandTimeout: QUERY_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {
    // Reported through the rejected command.
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const reply = (async () => {
      await client.connect();
      return client.call(name, ...args);
    })();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${name} on port ${port} timed out`)),
        QUERY_TIMEOUT_MS + 100,
      );
    });
    reply.catch(() => undefined);
    return await Promise.race([reply, timeout]);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/** A flat `[key, value, key, value, ...]` reply as a map of strings. */
function flatPairs(reply: unknown): Map<string, string> {
  const map = new Map<string, string>();
  if (!Array.isArray(reply)) return map;
  for (let i = 0; i + 1 < reply.length; i += 2) map.set(String(reply[i]), String(reply[i + 1]));
  return map;
}
