import { createHash } from 'node:crypto';
import { Cluster, type Redis } from 'ioredis';

/** What the session library stores for a token: base64url SHA-256. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * Every key under `prefix` with its value rendered as text (strings, hash fields and values,
 * list, set and sorted-set members), from a full SCAN of every primary: what a dump of Redis
 * would reveal.
 */
export async function dumpKeyspace(redis: Redis | Cluster, prefix: string): Promise<string> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const lines: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', '500');
      cursor = next;
      for (const key of keys) lines.push(`${key} ${await valueAsText(redis, key)}`);
    } while (cursor !== '0');
  }
  return lines.join('\n');
}

async function valueAsText(redis: Redis | Cluster, key: string): Promise<string> {
  switch (await redis.type(key)) {
    case 'string':
      return (await redis.get(key)) ?? '';
    case 'hash':
      return Object.entries(await redis.hgetall(key))
        .flat()
        .join(' ');
    case 'list':
      return (await redis.lrange(key, 0, -1)).join(' ');
    case 'set':
      return (await redis.smembers(key)).join(' ');
    case 'zset':
      return (await redis.zrange(key, '0', '-1')).join(' ');
    default:
      return '';
  }
}
