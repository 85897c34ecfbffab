import type { SessionLimit } from '../store/stored-session.js';
import type {
  SessionCookieSameSite,
  SessionRedisOption,
  SessionReplicaAcknowledgement,
  SessionSocketWrites,
} from './session-module-options.interface.js';

/** Options after defaults and validation: what every provider of the module works with. */
export interface ResolvedSessionOptions {
  readonly redis: SessionRedisOption;
  readonly keyPrefix: string;
  readonly cookie: {
    /** Final cookie name, `__Host-` prefixed when secure. */
    readonly name: string;
    readonly secure: boolean;
    readonly sameSite: SessionCookieSameSite;
  };
  readonly idleTimeoutMs: number;
  readonly absoluteTimeoutMs: number;
  readonly touchIntervalMs: number;
  readonly commandTimeoutMs: number;
  readonly retryAfterSeconds: number;
  readonly connectionHint: string | undefined;
  /** `undefined` when unlimited. */
  readonly sessionLimit: SessionLimit | undefined;
  readonly elevationMs: number;
  readonly maxDataBytes: number;
  readonly csrf: {
    readonly enabled: boolean;
    readonly trustedOrigins: readonly string[];
    /** Lower-case header that must carry the synchronizer token; `undefined` when it is off. */
    readonly synchronizerTokenHeader: string | undefined;
  };
  readonly replicaAcknowledgement: SessionReplicaAcknowledgement | undefined;
  readonly socketWrites: SessionSocketWrites;
}
