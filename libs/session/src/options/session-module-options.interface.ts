import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';

/**
 * Use an ioredis client the application already has. The module never closes it.
 */
export interface SessionRedisClientOption {
  client: Redis | Cluster;
}

/**
 * Connect to a standalone Redis by URL (`redis://` or `rediss://`).
 * `options` are passed to ioredis after the module's fail-fast defaults, so they win.
 */
export interface SessionRedisUrlOption {
  url: string;
  options?: RedisOptions;
}

/** Connect through Redis Sentinel; mirrors ioredis's own Sentinel settings. */
export interface SessionRedisSentinelOption {
  sentinels: Array<{ host: string; port: number }>;
  /** The monitored primary's name (`sentinel monitor <name> ...`). */
  name: string;
  sentinelPassword?: string;
  options?: RedisOptions;
}

/** Connect to a Redis Cluster through any of its nodes. */
export interface SessionRedisClusterOption {
  clusterNodes: ClusterNode[];
  clusterOptions?: ClusterOptions;
}

/** Where sessions are stored: one of the four forms. */
export type SessionRedisOption =
  | SessionRedisClientOption
  | SessionRedisUrlOption
  | SessionRedisSentinelOption
  | SessionRedisClusterOption;

/** See `SessionModuleOptions.csrf`. */
export interface SessionCsrfOptions {
  /** @default true */
  enabled?: boolean;
  /**
   * Origins (`https://app.example.com`) allowed to send unsafe requests besides the app's own,
   * e.g. a sibling subdomain that posts to this app.
   * @default []
   */
  trustedOrigins?: string[];
  /**
   * Also require a synchronizer token: unsafe requests with a live session must carry
   * `session.csrfToken` in the `headerName` header, or get 403. Each session keeps a secret for
   * it in its own Redis hash (no extra round trip). For apps that want a defence that does not
   * rely on the browser (Fetch Metadata, SameSite); needs `enabled`.
   * @default false
   */
  synchronizerToken?: boolean;
  /**
   * The request header that carries the synchronizer token. Read only when `synchronizerToken`
   * is on. Only this header is read, never a form field or the query string: pages send it
   * with `fetch`; a form posted without script does not carry it.
   * @default 'x-csrf-token'
   */
  headerName?: string;
}

/** See `SessionModuleOptions.socketWrites`. */
export type SessionSocketWrites = 'coalesced' | 'immediate';

/** See `SessionModuleOptions.replicaAcknowledgement`. */
export interface SessionReplicaAcknowledgement {
  replicas: number;
  timeoutMs: number;
}

/** The `SameSite` attribute of the session cookie. `none` is refused: it would disable CSRF defence. */
export type SessionCookieSameSite = 'lax' | 'strict';

/** Session cookie settings. */
export interface SessionCookieOptions {
  /**
   * Cookie name. When `secure` is on, the name gets the `__Host-` prefix, which makes the
   * browser refuse the cookie unless it is Secure, has Path=/ and no Domain.
   * @default 'sid'
   */
  name?: string;
  /**
   * Send the cookie only over HTTPS (and use the `__Host-` prefix). Turn off only for
   * local development over plain HTTP.
   * @default true
   */
  secure?: boolean;
  /** @default 'lax' */
  sameSite?: SessionCookieSameSite;
}

/**
 * Options of `SessionModule.forRoot()` / `forRootAsync()`.
 *
 * @publicApi
 */
export interface SessionModuleOptions {
  /** Where sessions live. */
  redis: SessionRedisOption;
  /**
   * Prefix of every key the module writes. Must not contain `{` or `}`: braces would become
   * the Redis Cluster hash tag of every key and put all sessions on one shard.
   * @default 'sess:'
   */
  keyPrefix?: string;
  cookie?: SessionCookieOptions;
  /**
   * A session unused for this long expires (sliding).
   * @default 1800
   */
  idleTimeoutSeconds?: number;
  /**
   * A session expires this long after it was created, however active it is.
   * @default 604800
   */
  absoluteTimeoutSeconds?: number;
  /**
   * The idle deadline and last-seen time are refreshed at most this often per session, so an
   * active user does not cause a Redis write on every request. Must be below the idle timeout.
   * @default 60
   */
  touchIntervalSeconds?: number;
  /**
   * Bound on every Redis command of clients the module creates; past it the request gets 503.
   * @default 1000
   */
  commandTimeoutMs?: number;
  /**
   * `Retry-After` value (seconds) sent with 503 when Redis is unavailable.
   * @default 1
   */
  retryAfterSeconds?: number;
  /**
   * Most sessions one user may have at once (devices signed in). Bounds the work of listing and
   * revoking, and the damage of a credential-stuffing run. `0` means no limit.
   * @default 100
   */
  maxSessionsPerUser?: number;
  /**
   * What a login beyond `maxSessionsPerUser` does: sign out the device seen longest ago, or be
   * refused with 409.
   * @default 'evict-least-recently-used'
   */
  sessionLimitPolicy?: 'evict-least-recently-used' | 'refuse';
  /**
   * How long `SessionService.elevate()` keeps a session in step-up ("sudo") mode.
   * @default 300
   */
  elevationSeconds?: number;
  /**
   * Most bytes the serialised `session.data` (keys and JSON values) may take. Beyond it the
   * save fails with `SessionDataTooLargeError` (413) and nothing is written; it bounds Redis
   * memory per session and the cost of every read.
   * @default 16384
   */
  maxDataBytes?: number;
  /**
   * Cross-site request defence for unsafe methods on requests that carry the session cookie:
   * `Sec-Fetch-Site: cross-site` or `same-site`, or a foreign `Origin`, get 403. On by default.
   * An optional synchronizer token can be required on top (`synchronizerToken`).
   */
  csrf?: SessionCsrfOptions;
  /**
   * How the store's commands reach the Redis socket. `coalesced`: under load (while some of the
   * store's commands await replies), the commands sent during one turn of the event loop (up to
   * 32) leave in one write, so Node and Redis each handle a few requests per wake-up instead of
   * one; a command sent when none awaits a reply leaves at once. Every reply still settles its
   * own request as soon as it arrives. `immediate`: one write per command, as ioredis does by
   * itself. Applies to every kind of client, also one you pass in (only while the store's
   * commands are in flight, and only by deferring writes to the end of the current turn); on a
   * Cluster, to the socket of every node.
   * @default 'coalesced'
   */
  socketWrites?: SessionSocketWrites;
  /**
   * Wait until this many replicas acknowledged each login, rotation, revocation and roles
   * change (Redis `WAIT`, sent in the same round trip) before reporting it done. With
   * asynchronous replication a failover can otherwise lose the last writes: a login that was
   * answered, or a revocation, which would bring a revoked session back. Fewer
   * acknowledgements within `timeoutMs` (which must be below `commandTimeoutMs`) answer 503.
   * Off by default.
   */
  replicaAcknowledgement?: SessionReplicaAcknowledgement;
  /**
   * Appended to the single line the module logs when Redis becomes unreachable, for example how
   * to start Redis in your environment.
   */
  connectionHint?: string;
}
