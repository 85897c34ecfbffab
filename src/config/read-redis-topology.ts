import { isIP } from 'node:net';
import type { HostAndPort, RedisTopology } from './app-config.js';
import { readEnvVariable, type Env } from './read-env-variable.js';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The one Redis topology the environment names; problems are added to `problems`. */
export function readRedisTopology(env: Env, problems: string[]): RedisTopology {
  const url = readEnvVariable(env, 'REDIS_URL');
  const sentinels = readEnvVariable(env, 'REDIS_SENTINELS');
  const sentinelName = readEnvVariable(env, 'REDIS_SENTINEL_NAME');
  const clusterNodes = readEnvVariable(env, 'REDIS_CLUSTER_NODES');

  const chosen = [
    url !== undefined && 'REDIS_URL',
    sentinels !== undefined && 'REDIS_SENTINELS',
    clusterNodes !== undefined && 'REDIS_CLUSTER_NODES',
  ].filter((name) => name !== false);
  if (chosen.length > 1) {
    problems.push(
      `${chosen.join(', ')}: set only one Redis topology (REDIS_URL, or REDIS_SENTINELS with REDIS_SENTINEL_NAME, or REDIS_CLUSTER_NODES)`,
    );
  }
  if (sentinelName !== undefined && sentinels === undefined) {
    problems.push('REDIS_SENTINEL_NAME: is only used with REDIS_SENTINELS, which is not set');
  }

  if (sentinels !== undefined) {
    if (sentinelName === undefined) {
      problems.push(
        "REDIS_SENTINEL_NAME: required with REDIS_SENTINELS (the monitored primary's name)",
      );
    }
    return {
      kind: 'sentinel',
      sentinels: readHostList('REDIS_SENTINELS', sentinels, problems),
      name: sentinelName ?? '',
    };
  }
  if (clusterNodes !== undefined) {
    return { kind: 'cluster', nodes: readHostList('REDIS_CLUSTER_NODES', clusterNodes, problems) };
  }
  const standaloneUrl = url ?? DEFAULT_REDIS_URL;
  if (!isRedisUrl(standaloneUrl)) {
    // The value is not echoed: a Redis URL may carry a password.
    problems.push('REDIS_URL: expected a redis:// or rediss:// URL such as redis://127.0.0.1:6379');
  }
  return { kind: 'standalone', url: standaloneUrl };
}

function isRedisUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol, hostname } = new URL(value);
  return (protocol === 'redis:' || protocol === 'rediss:') && hostname !== '';
}

function readHostList(name: string, raw: string, problems: string[]): HostAndPort[] {
  const entries = raw.split(',').map((entry) => entry.trim());
  const parsed = entries.map(parseHostAndPort);
  const invalid = entries.filter((_, index) => parsed[index] === null);
  if (invalid.length > 0) {
    problems.push(
      `${name}: received ${invalid.map((entry) => JSON.stringify(entry)).join(', ')}, expected host:port[,host:port...] (IPv6 as [::1]:26379)`,
    );
  }
  return parsed.filter((entry) => entry !== null);
}

function parseHostAndPort(entry: string): HostAndPort | null {
  const match = /^(?:\[([^\]]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(entry);
  if (match === null) return null;
  const host = match[1] ?? match[2] ?? '';
  const port = Number(match[3]);
  if (port < 1 || port > 65_535) return null;
  if (match[1] !== undefined && isIP(host) !== 6) return null;
  return { host, port };
}
