import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/**
 * A service's own metrics registry, with Node's process metrics in it. Own, not prom-client's
 * global one, so that two instances in one process (tests) do not collide.
 */
export function serviceRegistry(defaultMetricsPrefix?: string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, ...(defaultMetricsPrefix ? { prefix: defaultMetricsPrefix } : {}) });
  return registry;
}

/** What a service serves now, as its pipeline registry lists it. */
export interface ServedPipeline {
  readonly name: string;
  readonly revision: string;
  readonly generation: number | undefined;
}

/**
 * The gauge of the pipelines a replica serves, computed at each scrape from `served`: a switch of
 * revision shows at the next scrape, and a removed pipeline leaves no stale series.
 */
export function servedPipelinesGauge(registry: Registry, name: string, served: () => readonly ServedPipeline[]): Gauge<'pipeline' | 'revision' | 'generation'> {
  return new Gauge({
    name,
    help: 'The pipelines this replica serves, one series each, with the revision and generation live in it (value 1).',
    labelNames: ['pipeline', 'revision', 'generation'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of served()) this.set({ pipeline: p.name, revision: p.revision, generation: p.generation === undefined ? '' : String(p.generation) }, 1);
    },
  });
}
