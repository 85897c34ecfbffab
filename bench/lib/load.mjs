// HTTP load from a separate process: bench/load/cannon.mjs runs autocannon (its programmatic
// API, so requests can rotate over several users) and prints the result as JSON.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNodeJson } from './processes.mjs';

const CANNON = join(dirname(fileURLToPath(import.meta.url)), '..', 'load', 'cannon.mjs');

/**
 * One autocannon run against a loopback URL: for `durationS` seconds, or for exactly `amount`
 * requests. Returns req/s (completed requests over the measured duration), latency
 * percentiles (ms), the error counts and the status codes seen.
 */
export async function autocannon({
  url,
  connections,
  durationS,
  amount,
  method = 'GET',
  headers = {},
  body,
  variants,
}) {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`not a loopback URL: ${url}`);
  const spec = { url, connections, durationS, amount, method, headers, body, variants };
  // Bounded even if autocannon hangs: its own duration plus a generous margin.
  const timeoutMs = amount !== undefined ? 120_000 : (durationS + 30) * 1000;
  const result = await runNodeJson(CANNON, [JSON.stringify(spec)], { timeoutMs });
  return {
    rps: result.total / result.duration,
    completed: result.total,
    ok: result.ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.keys(result.statusCodeStats ?? {}).join(','),
    durationS: result.duration,
    latencyMs: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      mean: result.latency.average,
      max: result.latency.max,
    },
  };
}
