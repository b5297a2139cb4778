import { describe, expect, it } from 'vitest';
import { chartSpec, logDomain, renderSvg } from '../src/chart.js';
import { assemble } from '../src/results.js';
import { run } from './fixtures.js';

describe('chart', () => {
  const results = assemble(run());
  const spec = chartSpec(results) as unknown as { vconcat: Array<{ data: { values: Array<Record<string, unknown>> } }> };

  it('plots the throughput of every measurement that ran, and the latency percentiles of those with latency', () => {
    const [throughput, latency] = spec.vconcat;
    expect(throughput?.data.values).toHaveLength(10);
    expect(throughput?.data.values).toContainEqual({ measurement: 'ingest, single documents, JWT', group: 'docpipe', perSecond: 4000, unit: 'docs/s' });
    expect(latency?.data.values).toContainEqual({ measurement: 'ingest, single documents at a fixed rate, JWT', percentile: 'p99', ms: 150 });
  });

  it('renders to SVG', async () => {
    const svg = await renderSvg(chartSpec(results));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Throughput per second');
    expect(svg).toContain('4,000');
    // Every bar is drawn with a width (a log scale with a stacked zero baseline draws none).
    const widths = [...svg.matchAll(/aria-roledescription="bar" d="M[\d.]+,[\d.]+h(-?[\d.]+)/g)].map((m) => Number(m[1]));
    expect(widths.length).toBe(10 + 10 * 3);
    expect(widths.every((w) => w > 0)).toBe(true);
  });
});

describe('logDomain', () => {
  it('spans powers of ten from below half the smallest positive value to above twice the largest', () => {
    expect(logDomain([1000, 20_000])).toEqual([100, 100_000]);
    expect(logDomain([0, 3, 150])).toEqual([1, 1000]);
    expect(logDomain([])).toEqual([1, 10]);
  });
});
