// bench/results/latest.svg: throughput and latency of every measurement, as a Vega-Lite spec
// (pure, tested) rendered to SVG by Vega in Node (no browser, no canvas).
import type { TopLevelSpec } from 'vega-lite';
import { MEASUREMENTS, type RunResults } from './results.js';

/**
 * A log scale's domain in powers of ten, from below half the smallest value (a bar at the
 * domain's minimum would have no length) to above twice the largest (room for its label).
 */
export function logDomain(values: readonly number[]): [number, number] {
  const positive = values.filter((v) => v > 0);
  if (positive.length === 0) return [1, 10];
  return [10 ** Math.floor(Math.log10(Math.min(...positive) / 2)), 10 ** Math.ceil(Math.log10(Math.max(...positive) * 2))];
}

export function chartSpec(results: RunResults): TopLevelSpec {
  const ok = results.measurements.flatMap((m) => (m.status === 'ok' ? [m] : []));
  const label = (id: keyof typeof MEASUREMENTS) => MEASUREMENTS[id].title;
  const throughput = ok.map((m) => ({
    measurement: label(m.id),
    group: MEASUREMENTS[m.id].group,
    perSecond: m.throughput,
    unit: MEASUREMENTS[m.id].unit,
  }));
  const latency = ok.flatMap((m) =>
    m.latencyMs
      ? (['p50', 'p95', 'p99'] as const).map((p) => ({ measurement: label(m.id), percentile: p, ms: m.latencyMs?.[p] }))
      : [],
  );
  const order = ok.map((m) => label(m.id));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Docpipe benchmark', subtitle: `${results.startedAt}, ${results.machine.cpuModel}, ${results.machine.cores} cores` },
    config: { font: 'sans-serif' },
    vconcat: [
      {
        title: 'Throughput per second (log scale)',
        data: { values: throughput },
        width: 480,
        encoding: {
          y: { field: 'measurement', type: 'nominal', sort: order, title: null, axis: { labelLimit: 500 } },
          x: {
            field: 'perSecond',
            type: 'quantitative',
            stack: null,
            scale: { type: 'log', domain: logDomain(throughput.map((t) => t.perSecond)) },
            title: 'units per second (records, requests or documents)',
          },
        },
        layer: [
          // A log scale has no zero: the bars start at the left edge.
          {
            mark: { type: 'bar', tooltip: true },
            encoding: {
              x2: { value: 0 },
              color: { field: 'group', type: 'nominal', title: 'group', scale: { domain: ['ceiling', 'docpipe', 'peer'] } },
            },
          },
          { mark: { type: 'text', align: 'left', dx: 3 }, encoding: { text: { field: 'perSecond', type: 'quantitative', format: ',.0f' } } },
        ],
      },
      {
        title: 'Latency per request, ms (log scale)',
        data: { values: latency },
        mark: { type: 'bar', tooltip: true },
        width: 480,
        encoding: {
          y: { field: 'measurement', type: 'nominal', sort: order, title: null, axis: { labelLimit: 500 } },
          yOffset: { field: 'percentile', type: 'nominal', sort: ['p50', 'p95', 'p99'] },
          x: {
            field: 'ms',
            type: 'quantitative',
            stack: null,
            scale: { type: 'log', domain: logDomain(latency.map((l) => l.ms ?? 0)) },
            title: 'milliseconds',
          },
          x2: { value: 0 },
          color: { field: 'percentile', type: 'nominal', title: 'percentile', scale: { scheme: 'oranges' } },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}
