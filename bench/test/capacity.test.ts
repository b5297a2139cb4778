import { environments } from '@docpipe/cdk8s/lib/src/config.js';
import type { CompiledPipeline } from '@docpipe/pipeline';
import { describe, expect, it } from 'vitest';
import {
  assumptionProblems,
  assumptions,
  DEFAULT_ASSUMPTIONS,
  productionCapacity,
  productionOf,
  quantityBytes,
  sizeFor,
  type Production,
  type Sized,
} from '../src/capacity.js';
import { PARTS, type Cost, type Costs, type Part } from '../src/costs.js';

/** Costs in core-ms per document, every part present unless left out. */
function costs(perPart: Partial<Record<Part, number>> = {}, bytes = 400): Costs {
  const base: Record<Part, number> = {
    'ingest.single': 0.1,
    'ingest.batch': 0.01,
    'broker.single': 0.05,
    'broker.batch': 0.001,
    'broker.fetch': 0.01,
    consumer: 0.02,
    store: 0.04,
  };
  const parts = Object.fromEntries(
    (Object.keys(PARTS) as Part[]).map((part): [Part, Cost] => {
      const { from, process } = PARTS[part];
      const value = part in perPart ? perPart[part] : base[part];
      return [part, value === undefined ? { missing: `${from} was not measured`, from, process } : { coreMsPerDoc: value, from, process, cores: 1, seconds: 1, documents: 1 }];
    }),
  ) as Record<Part, Cost>;
  return { parts, documentBytes: { bytes, from: 'docpipe.consumer' } };
}

const value = (s: Sized) => {
  if ('missing' in s) throw new Error(`missing: ${s.missing}`);
  return s;
};

const a = assumptions();

describe('sizeFor', () => {
  it('keeps rate × cost busy and sizes replicas to run at the headroom', () => {
    const s = sizeFor(100_000, costs(), a);
    // 100,000/s × 0.1 core-ms = 10 cores of ingest, on pods of 1 core at half their cores.
    expect(value(s.ingest)).toEqual({ cores: 10, replicas: 20 });
    expect(value(s.consumer).cores).toBeCloseTo(2);
    expect(value(s.consumer).replicas).toBe(4);
    // Every copy of a single document's write, plus the consumer's fetches: (3 × 0.05 + 0.01) core-ms.
    expect(value(s.brokers).cores).toBeCloseTo(16);
    expect(value(s.brokers).replicas).toBe(16);
    expect(value(s.store).replicas).toBe(4);
  });

  it('doubles the cores when a cost doubles', () => {
    const once = sizeFor(10_000, costs(), a);
    const twice = sizeFor(10_000, costs({ consumer: 0.04, store: 0.08, 'ingest.single': 0.2 }), a);
    expect(value(twice.consumer).cores).toBeCloseTo(2 * value(once.consumer).cores);
    expect(value(twice.store).cores).toBeCloseTo(2 * value(once.store).cores);
    expect(value(twice.ingest).cores).toBeCloseTo(2 * value(once.ingest).cores);
  });

  it('weighs single and batch documents by the batch share', () => {
    const half = sizeFor(100_000, costs(), assumptions({ batchShare: 0.5 }));
    expect(value(half.ingest).cores).toBeCloseTo((100_000 * (0.5 * 0.1 + 0.5 * 0.01)) / 1000);
  });

  it('gives every consumer replica its concurrent partitions, at least one per broker, in multiples of the brokers', () => {
    for (const rate of [1, 1_000, 10_000, 100_000, 1_000_000]) {
      for (const perPart of [{}, { consumer: 0.5 }, { 'broker.single': 0.5 }]) {
        const s = sizeFor(rate, costs(perPart), a);
        if (!('value' in s.partitions)) throw new Error('no partitions');
        const partitions = s.partitions.value;
        expect(partitions).toBeGreaterThanOrEqual(value(s.consumer).replicas * a.partitionsPerConsumer);
        expect(partitions).toBeGreaterThanOrEqual(value(s.brokers).replicas);
        expect(partitions % value(s.brokers).replicas).toBe(0);
      }
    }
  });

  it('never has fewer brokers than copies of a record, nor fewer than one of anything', () => {
    const s = sizeFor(1, costs(), a);
    expect(value(s.brokers).replicas).toBe(a.replicationFactor);
    expect([s.ingest, s.consumer, s.store].map((x) => value(x).replicas)).toEqual([1, 1, 1]);
  });

  it('gives a reason, not a number, when a cost is missing', () => {
    const s = sizeFor(10_000, costs({ consumer: undefined }), a);
    expect(s.consumer).toEqual({ missing: 'docpipe.consumer was not measured' });
    expect(s.partitions).toMatchObject({ missing: expect.stringContaining('docpipe.consumer') });
    expect('replicas' in s.ingest).toBe(true);
    // A batch share of 0 does not need the batch endpoint's cost.
    expect('replicas' in sizeFor(10_000, costs({ 'ingest.batch': undefined }), a).ingest).toBe(true);
  });
});

describe('assumptions', () => {
  it('are valid by default and take overrides', () => {
    expect(assumptionProblems(DEFAULT_ASSUMPTIONS)).toEqual([]);
    expect(assumptions({ headroom: 0.3 }).headroom).toBe(0.3);
  });

  it('refuse what the model cannot use', () => {
    expect(() => assumptions({ headroom: 1 })).toThrow(/headroom must be at least 0 and below 1/);
    expect(assumptionProblems({ ...DEFAULT_ASSUMPTIONS, replicationFactor: 2.5, coresPerBroker: 0, batchShare: 2 })).toEqual([
      'batchShare must be from 0 to 1, got 2',
      'coresPerBroker must be above 0, got 0',
      'replicationFactor must be a whole number of at least 1, got 2.5',
    ]);
  });
});

const production: Production = {
  ingest: { maxReplicas: 10, cpuLimitCores: 1, cpuRequestCores: 0.25, hpaCpuUtilization: 0.7 },
  consumer: { maxReplicas: 6, partitions: 4, cpuLimitCores: 1 },
  kafka: { brokers: 3, replicationFactor: 3, cpuLimitCores: 2, storageBytes: 100 * 2 ** 30, retentionDays: 7 },
  mongodb: { shards: 1, members: 3, cpuLimitCores: 2 },
};

describe('productionCapacity', () => {
  it('gives each part the rate its cores carry at the headroom, and the least of them', () => {
    const c = productionCapacity(production, costs(), a);
    expect(c.byPart.ingest).toEqual({ value: (10 * 1 * 0.5 * 1000) / 0.1 });
    // No more consumers than partitions.
    expect(c.byPart.consumer).toEqual({ value: (4 * 1 * 0.5 * 1000) / 0.02 });
    expect(c.byPart.brokers).toEqual({ value: (3 * 2 * 0.5 * 1000) / (3 * 0.05 + 0.01) });
    expect(c.limitedBy).toBe('brokers');
    expect(c.rate).toBe((c.byPart.brokers as { value: number }).value);
    // The disks hold every copy of every record for the retention.
    expect(c.kafkaDisk).toEqual({ value: (3 * 100 * 2 ** 30) / (400 * 3 * 7 * 86_400) });
    expect(c.ingestAtHpaTarget).toEqual({ value: (10 * 0.25 * 0.7 * 1000) / 0.1 });
  });

  it('halves what a part carries when its cost doubles', () => {
    const once = productionCapacity(production, costs(), a).byPart.store as { value: number };
    const twice = productionCapacity(production, costs({ store: 0.08 }), a).byPart.store as { value: number };
    expect(twice.value).toBeCloseTo(once.value / 2);
  });

  it('names no rate when a cost is missing', () => {
    const c = productionCapacity(production, costs({ store: undefined }), a);
    expect(c.byPart.store).toMatchObject({ missing: expect.any(String) });
    expect(c.rate).toBeUndefined();
  });

  it('reads the cdk8s environment and the pipeline it runs', () => {
    const env = environments.production;
    const pipeline = { spec: { topic: { partitions: 12, retentionDays: 3 }, scaling: { maxReplicas: 8 } } } as unknown as CompiledPipeline;
    const p = productionOf(env, pipeline);
    expect(p.consumer).toMatchObject({ maxReplicas: 8, partitions: 12 });
    expect(p.kafka).toMatchObject({ brokers: env.kafka.nodes, replicationFactor: env.kafka.replicationFactor, retentionDays: 3, storageBytes: quantityBytes(env.kafka.storageSize) });
    expect(p.ingest.cpuLimitCores * 1000).toBe(env.ingest.resources.cpuLimitMillis);
  });
});

describe('quantityBytes', () => {
  it('reads binary and decimal suffixes', () => {
    expect(quantityBytes('100Gi')).toBe(100 * 2 ** 30);
    expect(quantityBytes('5G')).toBe(5e9);
    expect(quantityBytes('512')).toBe(512);
    expect(() => quantityBytes('lots')).toThrow(/not a quantity/);
  });
});
