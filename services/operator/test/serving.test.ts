// What a replica's /metrics says it serves, and how the replicas of a part add up.
import { servedPipelinesGauge, serviceRegistry } from '@docpipe/runtime';
import { servedPipelinesMetric } from '@docpipe/contract';
import { describe, expect, it } from 'vitest';
import { partServing, replicaServing, seriesOf } from '../src/controller/serving.js';

/** An exposition as a replica writes it, from the gauge the services register. */
async function exposition(part: 'ingest' | 'consumer', served: { name: string; revision: string; generation: number | undefined }[]) {
  const registry = serviceRegistry();
  servedPipelinesGauge(registry, servedPipelinesMetric(part), () => served);
  return registry.metrics();
}

describe("a replica's served pipelines", () => {
  it('are read back from the gauge the services export', async () => {
    const text = await exposition('ingest', [
      { name: 'invoices', revision: 'aaa111', generation: 4 },
      { name: 'orders', revision: 'bbb222', generation: undefined },
    ]);
    expect(replicaServing(text, 'ingest', 'invoices')).toEqual({ revision: 'aaa111', generation: 4 });
    expect(replicaServing(text, 'ingest', 'orders')).toEqual({ revision: 'bbb222', generation: undefined });
    expect(replicaServing(text, 'ingest', 'refunds')).toBeUndefined();
    // Another part's gauge is not this part's.
    expect(replicaServing(text, 'consumer', 'invoices')).toBeUndefined();
  });

  it('follow the registry at each scrape, leaving no stale series', async () => {
    const served = [{ name: 'orders', revision: 'old', generation: 1 }];
    const registry = serviceRegistry();
    servedPipelinesGauge(registry, servedPipelinesMetric('consumer'), () => served);
    expect(replicaServing(await registry.metrics(), 'consumer', 'orders')?.revision).toBe('old');
    served.splice(0, 1, { name: 'orders', revision: 'new', generation: 2 });
    const text = await registry.metrics();
    expect(seriesOf(text, servedPipelinesMetric('consumer'))).toEqual([{ pipeline: 'orders', revision: 'new', generation: '2' }]);
  });

  it('take escaped label values as Prometheus writes them', () => {
    expect(seriesOf('m{a="x\\"y",b="1\\\\2"} 1\nm_other{a="z"} 1', 'm')).toEqual([{ a: 'x"y', b: '1\\2' }]);
  });
});

describe("a part's replicas", () => {
  it('count those that serve the revision, and list the generations they serve', () => {
    expect(partServing([{ revision: 'new', generation: 3 }, { revision: 'old', generation: 2 }, undefined], 'new')).toEqual({ replicas: 3, current: 1, generations: [2, 3] });
    expect(partServing([], 'new')).toEqual({ replicas: 0, current: 0, generations: [] });
  });
});
