import { loadAppConfig } from './load-app-config.js';
import { toSessionModuleOptions } from './to-session-module-options.js';

describe('toSessionModuleOptions connection hint', () => {
  it.each([
    [{}, /REDIS_URL/],
    [{ REDIS_SENTINELS: '127.0.0.1:26401', REDIS_SENTINEL_NAME: 'mymaster' }, /REDIS_SENTINELS/],
    [{ REDIS_CLUSTER_NODES: '127.0.0.1:7000' }, /REDIS_CLUSTER_NODES/],
  ])('names what to check for the configured topology (%j)', (env, expected) => {
    const hint = toSessionModuleOptions(loadAppConfig(env)).connectionHint;
    expect(hint).toMatch(expected);
  });

  it('does not suggest REDIS_URL on Sentinel or Cluster', () => {
    const sentinel = loadAppConfig({
      REDIS_SENTINELS: '127.0.0.1:26401',
      REDIS_SENTINEL_NAME: 'm',
    });
    const cluster = loadAppConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000' });
    expect(toSessionModuleOptions(sentinel).connectionHint).not.toMatch(/REDIS_URL/);
    expect(toSessionModuleOptions(cluster).connectionHint).not.toMatch(/REDIS_URL/);
  });
});
