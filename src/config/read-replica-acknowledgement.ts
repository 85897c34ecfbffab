import { DEFAULT_SESSION_OPTIONS } from 'nest-redis-session';
import { readEnvVariable, type Env } from './read-env-variable.js';

/** `SESSION_WAIT_REPLICAS` and `SESSION_WAIT_TIMEOUT_MS`: the module's `replicaAcknowledgement`. */
export interface ReplicaAcknowledgementConfig {
  /** Replicas that must have a login, rotation or revocation before it is reported done. */
  replicas: number;
  /** How long `WAIT` waits for them; fewer in time answers 503. */
  timeoutMs: number;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 200;

/**
 * The app leaves the module's command timeout at its default; WAIT must end before it, or the
 * command would time out instead of reporting how many replicas acknowledged.
 */
const MAX_WAIT_TIMEOUT_MS = DEFAULT_SESSION_OPTIONS.commandTimeoutMs - 1;

/**
 * Replica acknowledgement (`WAIT`) of every login, rotation and revocation, or `null` (off, the
 * default) when `SESSION_WAIT_REPLICAS` is unset. Problems are added to `problems`.
 */
export function readReplicaAcknowledgement(
  env: Env,
  problems: string[],
): ReplicaAcknowledgementConfig | null {
  const rawReplicas = readEnvVariable(env, 'SESSION_WAIT_REPLICAS');
  const rawTimeout = readEnvVariable(env, 'SESSION_WAIT_TIMEOUT_MS');
  if (rawReplicas === undefined) {
    if (rawTimeout !== undefined) {
      problems.push(
        'SESSION_WAIT_TIMEOUT_MS: is only used with SESSION_WAIT_REPLICAS, which is not set',
      );
    }
    return null;
  }
  const replicas = parseInteger(rawReplicas);
  if (replicas === null || replicas < 1) {
    problems.push(
      `SESSION_WAIT_REPLICAS: received ${JSON.stringify(rawReplicas)}, expected an integer of at least 1`,
    );
  }
  const timeoutMs = rawTimeout === undefined ? DEFAULT_WAIT_TIMEOUT_MS : parseInteger(rawTimeout);
  if (timeoutMs === null || timeoutMs < 1 || timeoutMs > MAX_WAIT_TIMEOUT_MS) {
    problems.push(
      `SESSION_WAIT_TIMEOUT_MS: received ${JSON.stringify(rawTimeout)}, expected an integer from 1 to ${MAX_WAIT_TIMEOUT_MS} (below the ${MAX_WAIT_TIMEOUT_MS + 1} ms Redis command timeout)`,
    );
  }
  return { replicas: replicas ?? 1, timeoutMs: timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS };
}

function parseInteger(raw: string): number | null {
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  return Number.isSafeInteger(value) ? value : null;
}
