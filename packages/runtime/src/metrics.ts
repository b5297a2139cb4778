import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A service's own metrics registry, with Node's process metrics in it. Own, not prom-client's
 * global one, so that two instances in one process (tests) do not collide.
 */
export function serviceRegistry(defaultMetricsPrefix?: string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, ...(defaultMetricsPrefix ? { prefix: defaultMetricsPrefix } : {}) });
  return registry;
}
