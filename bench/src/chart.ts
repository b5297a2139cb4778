// bench/results/latest.svg: throughput and latency of every measurement, as a Vega-Lite spec
// (pure, tested) rendered to SVG by Vega in Node (no browser, no canvas).
import type { TopLevelSpec } from 'vega-lite';
import { MEASUREMENTS, type RunResults } from './results.js';
import { SERIES, type Series, type SoakResult } from './soak.js';

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

/** The soak's panels: what each plots, from the per-second samples. */
const SOAK_PANELS: ReadonlyArray<{ readonly title: string; readonly axis: string; readonly series: readonly Series[] }> = [
  { title: 'Resident memory', axis: 'MiB', series: ['ingestRssMiB', 'consumerRssMiB'] },
  { title: 'End-to-end lag', axis: 'documents', series: ['lagRecords', 'backlog'] },
  { title: 'Event-loop delay, p99 of each second', axis: 'ms', series: ['ingestLoopP99Ms', 'consumerLoopP99Ms'] },
];

/** bench/results/latest-soak.svg: RSS, lag and event-loop delay over the soak, one panel each. */
export function soakChartSpec(soak: SoakResult, results: Pick<RunResults, 'startedAt' | 'machine'>): TopLevelSpec {
  const panel = ({ title, axis, series }: (typeof SOAK_PANELS)[number]) => ({
    title,
    data: {
      values: soak.samples.flatMap((sample) =>
        series.flatMap((s) => (sample[s] === undefined ? [] : [{ seconds: sample.t, series: SERIES[s].title, value: sample[s] }])),
      ),
    },
    mark: { type: 'line' as const, tooltip: true },
    width: 560,
    height: 160,
    encoding: {
      x: { field: 'seconds', type: 'quantitative' as const, title: 'seconds since the load started' },
      y: { field: 'value', type: 'quantitative' as const, title: axis },
      color: { field: 'series', type: 'nominal' as const, title: null, sort: series.map((s) => SERIES[s].title), legend: { labelLimit: 400 } },
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Docpipe soak: ${soak.rate.toLocaleString('en-US')} documents/s for ${soak.seconds} s`,
      subtitle: `${results.startedAt}, ${results.machine.cpuModel}, ${results.machine.cores} cores; slopes are fitted from ${soak.fitFromSeconds} s`,
    },
    config: { font: 'sans-serif' },
    vconcat: SOAK_PANELS.map(panel),
    resolve: { scale: { color: 'independent' } },
  };
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}
