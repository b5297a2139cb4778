import { describe, expect, it } from 'vitest';
import { assemble, compare, COMPARISONS, meets, type Measurement } from '../src/results.js';
import { measurements, run, soakResult } from './fixtures.js';

const byTitle = (list: ReturnType<typeof compare>, title: string) => {
  const found = list.find((c) => c.title === title);
  if (!found) throw new Error(`no comparison ${title}`);
  return found;
};

describe('compare', () => {
  const comparisons = compare(measurements());

  it('divides throughputs for ratios', () => {
    expect(byTitle(comparisons, 'single documents (JWT) / empty fastify route').result).toBeCloseTo(0.2);
    expect(byTitle(comparisons, 'consumer / raw bulk insert')).toMatchObject({ result: 0.9, met: true });
    expect(byTitle(comparisons, 'consumer / MongoDB sink connector')).toMatchObject({ result: 1.5, met: true });
  });

  it('takes the cost of authentication as the share of throughput lost', () => {
    const cost = byTitle(comparisons, 'cost of authentication (1 - JWT / none)');
    expect(cost.result).toBeCloseTo(0.2);
    expect(cost.met).toBe(false);
  });

  it('reads absolute goals from the metric they name', () => {
    expect(byTitle(comparisons, 'single documents with JWT, accepted/s')).toMatchObject({ result: 4000, met: true });
    expect(byTitle(comparisons, 'p99 latency at the fixed rate, ms')).toMatchObject({ result: 150, met: false });
    expect(byTitle(comparisons, 'seed replay, seconds')).toMatchObject({ result: 4, met: false });
  });

  it('gives no value for a peer that did not run, and says why', () => {
    const bridge = byTitle(comparisons, 'ingest single (JWT) / Kafka Bridge single');
    expect(bridge.result).toBeUndefined();
    expect(bridge.met).toBeUndefined();
    expect(bridge.missing).toBe('peer.bridge.single unavailable: not on Maven Central');
  });

  it('says when a measurement is absent or measured zero', () => {
    const list = measurements().filter((m) => m.id !== 'ceiling.http');
    expect(byTitle(compare(list), 'single documents (JWT) / empty fastify route').missing).toBe('ceiling.http was not measured');
    const zero = measurements().map((m): Measurement => (m.id === 'ceiling.kafka' ? { ...m, throughput: 0 } as Measurement : m));
    expect(byTitle(compare(zero), 'batch endpoint / Kafka producer').missing).toBe('ceiling.kafka measured 0');
  });

  it('evaluates every comparison, in order', () => {
    expect(comparisons.map((c) => c.title)).toEqual(COMPARISONS.map((c) => c.title));
  });
});

describe('meets', () => {
  it('applies each operator at the boundary', () => {
    expect(meets(3000, { op: '>=', target: 3000 })).toBe(true);
    expect(meets(0.1, { op: '<=', target: 0.1 })).toBe(true);
    expect(meets(5, { op: '<', target: 5 })).toBe(false);
  });
});

describe('assemble', () => {
  it('puts the comparisons before the measurements', () => {
    const results = assemble(run());
    expect(Object.keys(results).indexOf('comparisons')).toBeLessThan(Object.keys(results).indexOf('measurements'));
    expect(results.comparisons).toHaveLength(COMPARISONS.length);
  });

  it('keeps the soak when one ran, and adds no soak field when none did', () => {
    const soak = soakResult();
    expect(assemble({ ...run(), soak }).soak).toBe(soak);
    expect(assemble({ ...run(), soak: { unavailable: 'consumer exited' } }).soak).toEqual({ unavailable: 'consumer exited' });
    expect('soak' in assemble(run())).toBe(false);
  });
});
