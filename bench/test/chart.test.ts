import { describe, expect, it } from 'vitest';
import { chartSpec, logDomain, renderSvg, soakChartSpec } from '../src/chart.js';
import { assemble } from '../src/results.js';
import { run, soakResult } from './fixtures.js';

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

describe('soak chart', () => {
  const soak = soakResult();
  const spec = soakChartSpec(soak, assemble(run())) as unknown as { vconcat: Array<{ title: string; data: { values: Array<{ seconds: number; series: string; value: number }> } }> };

  it('plots RSS, lag and event-loop delay over time, one line per series and a point per second', () => {
    expect(spec.vconcat.map((p) => p.title)).toEqual(['Resident memory', 'End-to-end lag', 'Event-loop delay, p99 of each second']);
    const [memory, lag, loop] = spec.vconcat;
    expect(new Set(memory?.data.values.map((v) => v.series))).toEqual(new Set(['ingest RSS', 'consumer RSS']));
    expect(memory?.data.values).toHaveLength(2 * soak.samples.length);
    expect(memory?.data.values).toContainEqual({ seconds: 60, series: 'ingest RSS', value: 102 });
    expect(lag?.data.values).toContainEqual({ seconds: 1, series: 'consumer group lag', value: 600 });
    expect(loop?.data.values).toContainEqual({ seconds: 2, series: 'ingest event-loop delay p99', value: 1 });
  });

  it('leaves out the seconds a scrape failed instead of plotting them as 0', () => {
    const gap = soakChartSpec(soakResult({ samples: [{ t: 1, ingestRssMiB: 90 }, { t: 2 }] }), assemble(run())) as unknown as typeof spec;
    expect(gap.vconcat[0]?.data.values).toEqual([{ seconds: 1, series: 'ingest RSS', value: 90 }]);
  });

  it('renders to SVG', async () => {
    const svg = await renderSvg(soakChartSpec(soak, assemble(run())));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Resident memory');
    expect(svg).toContain('1,000 documents/s');
  });
});

describe('logDomain', () => {
  it('spans powers of ten from below half the smallest positive value to above twice the largest', () => {
    expect(logDomain([1000, 20_000])).toEqual([100, 100_000]);
    expect(logDomain([0, 3, 150])).toEqual([1, 1000]);
    expect(logDomain([])).toEqual([1, 10]);
  });
});
