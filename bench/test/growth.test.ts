import { describe, expect, it } from 'vitest';
import { growthChartSpec, growthMarkdown, medianOutcome, summarizeGrowth, type GrowthPoint } from '../src/growth.js';

const latency = (p50: number, p99: number) => ({ p50, p95: p99, p99, max: p99 });
const ok = (throughput: number) => ({ status: 'ok' as const, throughput, count: 50_000, seconds: 50_000 / throughput });

function point(size: number, drain: number, getP99: number, overrides: Partial<GrowthPoint> = {}): GrowthPoint {
  return {
    size,
    fillSeconds: size / 40_000,
    get: { stored: latency(1.2, getP99), missing: latency(1.1, getP99 / 2), count: 200 },
    insert: ok(9000),
    drain: ok(drain),
    bytesOnDisk: size * 1600,
    ...overrides,
  };
}

describe('summarizeGrowth', () => {
  it('compares the largest size with the smallest, and reads the worse p99 of stored and missing ids', () => {
    const s = summarizeGrowth([point(10_000, 8000, 4), point(100_000, 7900, 5), point(1_000_000, 7600, 6)]);
    expect(s).toMatchObject({ smallest: 10_000, largest: 1_000_000, getP99Ms: 6, getMet: true, drainMet: true, insertRatio: 1 });
    expect(s?.drainRatio).toBeCloseTo(0.95);
  });

  it('fails the goals when the drain slows down by more than a tenth or a lookup takes over 10 ms', () => {
    const s = summarizeGrowth([point(10_000, 8000, 4), point(1_000_000, 7000, 4, { get: { stored: latency(2, 3), missing: latency(9, 12), count: 200 } })]);
    expect(s).toMatchObject({ drainMet: false, getMet: false, getP99Ms: 12 });
  });

  it('has no drain ratio when a drain failed, and no summary without points', () => {
    const s = summarizeGrowth([point(10_000, 8000, 4), point(1_000_000, 0, 4, { drain: { status: 'failed', reason: 'stalled' } })]);
    expect(s?.drainRatio).toBeUndefined();
    expect(s?.drainMet).toBeUndefined();
    expect(summarizeGrowth([])).toBeUndefined();
  });
});

describe('growthMarkdown', () => {
  it('gives a row per size and the verdicts', () => {
    const md = growthMarkdown({ collection: 'documents', documents: 50_000, points: [point(10_000, 8000, 4), point(1_000_000, 5000, 4.39)] });
    expect(md).toContain('| 1,000,000 | 5,000 | 9,000 | 1.20 / 4.39 | 1.10 / 2.19 | 1,526 MiB | 25.0 s |');
    expect(md).toContain('0.63× (goal ≥ 0.9×: not met)');
    expect(md).toContain('GET p99 at 1,000,000: 4.39 ms (goal ≤ 10 ms: met)');
  });

  it('says why when the phase could not run, and nothing when it did not run', () => {
    expect(growthMarkdown({ unavailable: 'no SQLite' })).toContain('**The growth phase did not run**: no SQLite');
    expect(growthMarkdown(undefined)).toBe('');
  });

  it('shows a failed drain as failed, with its reason', () => {
    const md = growthMarkdown({ collection: 'documents', documents: 50_000, points: [point(10_000, 8000, 4, { drain: { status: 'failed', reason: 'stalled' } })] });
    expect(md).toContain('| failed: stalled |');
  });
});

describe('growthChartSpec', () => {
  it('plots every figure against the size, leaving out what failed', () => {
    const spec = growthChartSpec({ collection: 'documents', documents: 50_000, points: [point(10_000, 8000, 4, { insert: { status: 'failed', reason: 'x' } })] }, 'run');
    const rows = (spec as { data: { values: { series: string; size: number }[] } }).data.values;
    expect(rows.map((r) => r.series)).toEqual(['consumer drain', 'stored p50', 'stored p99', 'missing p50', 'missing p99', 'store file']);
    expect(new Set(rows.map((r) => r.size))).toEqual(new Set([10_000]));
  });
});

describe('medianOutcome', () => {
  it('takes the round with the median throughput and keeps every round', () => {
    expect(medianOutcome([ok(9000), ok(7000), ok(10_000)])).toMatchObject({ status: 'ok', throughput: 9000, rounds: [9000, 7000, 10_000] });
  });

  it('shows the median and the range of the rounds', () => {
    const drain = medianOutcome([ok(9000), ok(7000), ok(10_000)]);
    const md = growthMarkdown({ collection: 'documents', documents: 50_000, points: [point(10_000, 0, 4, { drain })] });
    expect(md).toContain('| 10,000 | 9,000 (7,000–10,000) |');
  });

  it('takes the lower middle of an even number of rounds', () => {
    expect(medianOutcome([ok(8000), ok(6000)])).toMatchObject({ throughput: 6000 });
  });

  it('fails when a round failed, with its reason', () => {
    expect(medianOutcome([ok(8000), { status: 'failed', reason: 'stalled' }])).toEqual({ status: 'failed', reason: 'stalled' });
    expect(medianOutcome([])).toMatchObject({ status: 'failed' });
  });
});
