// The growth phase's results: the store's costs at each size it was filled to, the goals read from
// them, their section of latest.md and their chart. Pure: bench/test/growth.test.ts.
import type { TopLevelSpec } from 'vega-lite';
import type { CpuFrame } from './measure.js';
import type { Latency, Outcome } from './results.js';

/** What was measured with the collection at one size. */
export interface GrowthPoint {
  /** Documents in the collection when this size's measurements began. */
  readonly size: number;
  /** Seconds the generator took to bring the collection to `size`. */
  readonly fillSeconds: number;
  /** GET /v1/documents/{id} through ingest (JWT), one request at a time. */
  readonly get: { readonly stored: Latency; readonly missing: Latency; readonly count: number };
  /** The raw insertMany ceiling into this collection. */
  readonly insert: Framed;
  /** The consumer draining a topic into this collection. */
  readonly drain: Framed;
  /** The store's file and its write-ahead log at `size`. */
  readonly bytesOnDisk: number;
}

export type GrowthResult =
  | {
      readonly collection: string;
      /** Documents each drain and each insert ceiling wrote. */
      readonly documents: number;
      readonly points: readonly GrowthPoint[];
    }
  | { readonly unavailable: string };

/** A measurement of one size: the median round, where the CPU went in it, and every round's throughput. */
export type Framed = Outcome & Partial<CpuFrame> & { readonly rounds?: readonly number[] };

/**
 * The round with the median throughput, with every round's; a failed round makes the whole
 * failed, with its reason.
 */
export function medianOutcome(rounds: readonly Framed[]): Framed {
  const failed = rounds.find((r) => r.status !== 'ok');
  if (failed || rounds.length === 0) return failed ?? { status: 'failed', reason: 'no round ran' };
  const ok = rounds as readonly Extract<Framed, { status: 'ok' }>[];
  const sorted = [...ok].sort((a, b) => a.throughput - b.throughput);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] as Extract<Framed, { status: 'ok' }>;
  return { ...median, rounds: ok.map((r) => r.throughput) };
}

/** The goals at the largest size, against the smallest. */
export const GROWTH_GOALS = {
  /** The drain rate at the largest size, as a share of its rate at the smallest. */
  drainRatio: 0.9,
  /** GET p99, stored and missing ids alike, at the largest size, in ms. */
  getP99Ms: 10,
} as const;

export interface GrowthSummary {
  readonly smallest: number;
  readonly largest: number;
  readonly drainRatio?: number;
  readonly insertRatio?: number;
  /** The larger of the stored and missing p99 at the largest size. */
  readonly getP99Ms: number;
  readonly drainMet?: boolean;
  readonly getMet: boolean;
}

const throughputOf = (o: Outcome) => (o.status === 'ok' ? o.throughput : undefined);
const ratio = (of: number | undefined, to: number | undefined) => (of === undefined || to === undefined || to === 0 ? undefined : of / to);

export function summarizeGrowth(points: readonly GrowthPoint[]): GrowthSummary | undefined {
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last) return undefined;
  const drainRatio = ratio(throughputOf(last.drain), throughputOf(first.drain));
  const insertRatio = ratio(throughputOf(last.insert), throughputOf(first.insert));
  const getP99Ms = Math.max(last.get.stored.p99, last.get.missing.p99);
  return {
    smallest: first.size,
    largest: last.size,
    ...(drainRatio === undefined ? {} : { drainRatio, drainMet: drainRatio >= GROWTH_GOALS.drainRatio }),
    ...(insertRatio === undefined ? {} : { insertRatio }),
    getP99Ms,
    getMet: getP99Ms <= GROWTH_GOALS.getP99Ms,
  };
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);
const perSecond = (o: Framed) => {
  if (o.status !== 'ok') return `${o.status}: ${o.reason}`;
  const range = o.rounds && o.rounds.length > 1 ? ` (${integer.format(Math.min(...o.rounds))}–${integer.format(Math.max(...o.rounds))})` : '';
  return `${integer.format(o.throughput)}${range}`;
};
const mib = (bytes: number) => `${integer.format(bytes / 2 ** 20)} MiB`;

export function growthMarkdown(growth: GrowthResult | undefined): string {
  if (!growth) return '';
  if ('unavailable' in growth) return `## Growth\n\n**The growth phase did not run**: ${growth.unavailable}\n`;
  const rows = growth.points.map((p) =>
    [
      integer.format(p.size),
      perSecond(p.drain),
      perSecond(p.insert),
      `${ms(p.get.stored.p50)} / ${ms(p.get.stored.p99)}`,
      `${ms(p.get.missing.p50)} / ${ms(p.get.missing.p99)}`,
      mib(p.bytesOnDisk),
      `${p.fillSeconds.toFixed(1)} s`,
    ].join(' | '),
  );
  const summary = summarizeGrowth(growth.points);
  const verdicts = summary
    ? [
        `- drain at ${integer.format(summary.largest)} against ${integer.format(summary.smallest)}: ` +
          (summary.drainRatio === undefined ? 'not measured' : `${summary.drainRatio.toFixed(2)}× (goal ≥ ${GROWTH_GOALS.drainRatio}×: ${summary.drainMet ? 'met' : 'not met'})`),
        `- GET p99 at ${integer.format(summary.largest)}: ${ms(summary.getP99Ms)} ms (goal ≤ ${GROWTH_GOALS.getP99Ms} ms: ${summary.getMet ? 'met' : 'not met'})`,
        ...(summary.insertRatio === undefined ? [] : [`- raw insert at ${integer.format(summary.largest)} against ${integer.format(summary.smallest)}: ${summary.insertRatio.toFixed(2)}×`]),
      ]
    : [];
  return [
    '## Growth',
    '',
    `The invoices collection filled to each size by writing FerretDB's file directly, then at each size: GET of ${integer.format(growth.points[0]?.get.count ?? 0)} ` +
      `stored and as many missing ids (ms, p50 / p99), the raw insert ceiling and the consumer's drain of ${integer.format(growth.documents)} documents each, in rounds (median, and range). Chart: \`latest-growth.svg\`.`,
    '',
    '| documents | drain docs/s | raw insert docs/s | GET stored ms | GET missing ms | on disk | fill |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r} |`),
    '',
    ...verdicts,
    '',
  ].join('\n');
}

/** Each figure against the collection's size, on log scales: flat lines are the goal. */
export function growthChartSpec(growth: Extract<GrowthResult, { points: unknown }>, subtitle: string): TopLevelSpec {
  const rows = growth.points.flatMap((p) => [
    ...(p.drain.status === 'ok' ? [{ size: p.size, panel: 'documents/s', series: 'consumer drain', value: p.drain.throughput }] : []),
    ...(p.insert.status === 'ok' ? [{ size: p.size, panel: 'documents/s', series: 'raw insert', value: p.insert.throughput }] : []),
    { size: p.size, panel: 'GET ms', series: 'stored p50', value: p.get.stored.p50 },
    { size: p.size, panel: 'GET ms', series: 'stored p99', value: p.get.stored.p99 },
    { size: p.size, panel: 'GET ms', series: 'missing p50', value: p.get.missing.p50 },
    { size: p.size, panel: 'GET ms', series: 'missing p99', value: p.get.missing.p99 },
    { size: p.size, panel: 'MiB on disk', series: 'store file', value: p.bytesOnDisk / 2 ** 20 },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Docpipe benchmark: the store as it grows', subtitle },
    config: { font: 'sans-serif' },
    data: { values: rows },
    facet: { row: { field: 'panel', type: 'nominal', title: null, sort: ['documents/s', 'GET ms', 'MiB on disk'] } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 420,
      height: 160,
      mark: { type: 'line', point: true, tooltip: true },
      encoding: {
        x: { field: 'size', type: 'quantitative', scale: { type: 'log' }, title: 'documents in the collection' },
        y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: null },
        color: { field: 'series', type: 'nominal', title: null },
      },
    },
  };
}
