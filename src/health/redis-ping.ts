import type { Cluster, Redis } from 'ioredis';

/**
 * `true` when Redis answers PING within `timeoutMs`. Never rejects: a refused, failed or slow
 * PING is simply `false`.
 */
export async function pingRedis(redis: Redis | Cluster, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const answered = redis.ping().then(
    (reply) => reply === 'PONG',
    () => false,
  );
  try {
    return await Promise.race([answered, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
