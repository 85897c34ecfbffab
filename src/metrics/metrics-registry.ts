import { collectDefaultMetrics, Registry } from 'prom-client';

/** DI token of the app's own Prometheus `Registry`. */
export const METRICS_REGISTRY = Symbol('MetricsRegistry');

/**
 * A registry per app instance, never prom-client's global one: several apps in one process (the
 * e2e tests, two instances side by side) would otherwise register the same metric names twice
 * and throw, or count each other's sessions.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
