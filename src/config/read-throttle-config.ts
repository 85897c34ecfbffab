import { readEnvVariable, type Env } from './read-env-variable.js';

/** How failed password attempts are counted (`LOGIN_*` variables); see `LoginThrottle`. */
export interface LoginThrottleConfig {
  /** `LOGIN_MAX_FAILURES_PER_EMAIL`: failed attempts one account may have per window. */
  maxFailuresPerEmail: number;
  /** `LOGIN_MAX_FAILURES_PER_IP`: failed logins one client address may have per window. */
  maxFailuresPerIp: number;
  /** `LOGIN_FAILURE_WINDOW_SECONDS`: the window both counters are kept for. */
  failureWindowSeconds: number;
}

/** The defaults: 5 failures per account and 50 per client address, per 15 minutes. */
export const DEFAULT_LOGIN_THROTTLE: LoginThrottleConfig = {
  maxFailuresPerEmail: 5,
  maxFailuresPerIp: 50,
  failureWindowSeconds: 900,
};

// Upper bounds that catch a typo (an extra zero or two) rather than express a policy; the
// hourly cap of LoginThrottle holds whatever these are set to.
const MAX_FAILURES_PER_EMAIL = 1000;
const MAX_FAILURES_PER_IP = 1_000_000;
const MAX_WINDOW_SECONDS = 86_400;

/** The `LOGIN_*` settings; problems are added to `problems`, naming the variable. */
export function readLoginThrottleConfig(env: Env, problems: string[]): LoginThrottleConfig {
  return {
    maxFailuresPerEmail: readBoundedInteger(
      env,
      'LOGIN_MAX_FAILURES_PER_EMAIL',
      DEFAULT_LOGIN_THROTTLE.maxFailuresPerEmail,
      MAX_FAILURES_PER_EMAIL,
      problems,
    ),
    maxFailuresPerIp: readBoundedInteger(
      env,
      'LOGIN_MAX_FAILURES_PER_IP',
      DEFAULT_LOGIN_THROTTLE.maxFailuresPerIp,
      MAX_FAILURES_PER_IP,
      problems,
    ),
    failureWindowSeconds: readBoundedInteger(
      env,
      'LOGIN_FAILURE_WINDOW_SECONDS',
      DEFAULT_LOGIN_THROTTLE.failureWindowSeconds,
      MAX_WINDOW_SECONDS,
      problems,
    ),
  };
}

function readBoundedInteger(
  env: Env,
  name: string,
  fallback: number,
  max: number,
  problems: string[],
): number {
  const raw = readEnvVariable(env, name);
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= 1 && value <= max)) {
    problems.push(`${name}: received ${JSON.stringify(raw)}, expected an integer from 1 to ${max}`);
    return fallback;
  }
  return value;
}
