import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Calls `check` until it returns true and resolves with the milliseconds that took; rejects once
 * `deadlineMs` has passed. Polling instead of a fixed sleep: tests wait only as long as needed.
 */
export async function pollUntil(
  check: () => Promise<boolean>,
  { deadlineMs, intervalMs = 25 }: { deadlineMs: number; intervalMs?: number },
): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > deadlineMs) {
      throw new Error(`condition not met within ${deadlineMs} ms`);
    }
    await sleep(intervalMs);
  }
}

/** Runs `call` and resolves with its result and how many milliseconds it took. */
export async function timed<T>(call: () => PromiseLike<T>): Promise<{ result: T; ms: number }> {
  const start = performance.now();
  const result = await call();
  return { result, ms: performance.now() - start };
}
