// The shape of a benchmark run and the ratios read from it. Pure: no I/O, so the maths and the
// report are tested without servers (bench/test/results.test.ts).
import { costsOf, type Costs } from './costs.js';
import type { GrowthResult } from './growth.js';
import type { SoakResult } from './soak.js';

export type Group = 'ceiling' | 'docpipe' | 'peer';

/** Every measurement a run makes; the ids are the keys of results JSON and of the comparisons. */
export const MEASUREMENTS = {
  'ceiling.kafka': { group: 'ceiling', title: 'Kafka producer (ProducerPerformance, acks=all)', unit: 'records/s' },
  'ceiling.store': { group: 'ceiling', title: 'Store: raw unordered insertMany', unit: 'docs/s' },
  'ceiling.http': { group: 'ceiling', title: 'Empty fastify route, single documents', unit: 'requests/s' },
  'docpipe.single.auth': { group: 'docpipe', title: 'ingest, single documents, JWT', unit: 'docs/s' },
  'docpipe.single.noauth': { group: 'docpipe', title: 'ingest, single documents, AUTH_MODE=none', unit: 'docs/s' },
  'docpipe.single.rate': { group: 'docpipe', title: 'ingest, single documents at a fixed rate, JWT', unit: 'docs/s' },
  'docpipe.single.rate.high': { group: 'docpipe', title: 'ingest, single documents at the high fixed rate, JWT', unit: 'docs/s' },
  'docpipe.batch': { group: 'docpipe', title: 'ingest, batch endpoint, JWT', unit: 'docs/s' },
  'docpipe.consumer': { group: 'docpipe', title: 'consumer draining a pre-filled topic', unit: 'docs/s' },
  'docpipe.seed': { group: 'docpipe', title: 'seed replay, first request to last stored', unit: 'docs/s' },
  'peer.bridge.single': { group: 'peer', title: 'Strimzi Kafka Bridge, single records', unit: 'docs/s' },
  'peer.bridge.batch': { group: 'peer', title: 'Strimzi Kafka Bridge, batches', unit: 'docs/s' },
  'peer.sink': { group: 'peer', title: 'MongoDB Kafka sink connector draining the same topic', unit: 'docs/s' },
  'transform.cel': { group: 'docpipe', title: 'invoices transform in CEL, as the consumer runs it', unit: 'docs/s' },
  'transform.jsonata': { group: 'peer', title: 'the same transform in JSONata', unit: 'docs/s' },
  'client.kafkajs.batch': { group: 'docpipe', title: 'ingest on kafkajs, batch endpoint, JWT', unit: 'docs/s' },
  'client.platformatic.batch': { group: 'docpipe', title: 'ingest on @platformatic/kafka, batch endpoint, JWT', unit: 'docs/s' },
  'client.kafkajs.rate': { group: 'docpipe', title: 'ingest on kafkajs, single documents at the fixed rate, JWT', unit: 'docs/s' },
  'client.platformatic.rate': { group: 'docpipe', title: 'ingest on @platformatic/kafka, single documents at the fixed rate, JWT', unit: 'docs/s' },
  'client.kafkajs.consumer': { group: 'docpipe', title: 'consumer on kafkajs draining the pre-filled topic', unit: 'docs/s' },
  'client.platformatic.consumer': { group: 'docpipe', title: 'consumer on @platformatic/kafka draining the pre-filled topic', unit: 'docs/s' },
} as const satisfies Record<string, { group: Group; title: string; unit: string }>;

export type MeasurementId = keyof typeof MEASUREMENTS;

export interface Latency {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export type Params = Readonly<Record<string, string | number | boolean>>;

/** What one measurement found. A measurement that did not run has a reason and no figures. */
export type Outcome =
  | {
      readonly status: 'ok';
      /** Units per second over the measured window (warm-up excluded). */
      readonly throughput: number;
      readonly count: number;
      readonly seconds: number;
      readonly latencyMs?: Latency;
      readonly notes?: readonly string[];
    }
  | { readonly status: 'unavailable' | 'failed'; readonly reason: string };

export type Measurement = Outcome & {
  readonly id: MeasurementId;
  readonly params: Params;
  /** 1-minute load average before and after: how busy the machine was besides the measurement. */
  readonly loadAverage?: { readonly before: number; readonly after: number };
  /** Share (0 to 1) of the machine's CPU used by processes outside the benchmark meanwhile. */
  readonly otherCpu?: number;
  /** Cores each of the benchmark's processes kept busy on average: where the time went. */
  readonly cores?: Readonly<Record<string, number>>;
};

export type Metric = 'throughput' | 'p99' | 'seconds';

/** How a comparison's value is made from the measurements. */
export type Expression =
  | { readonly kind: 'ratio'; readonly of: MeasurementId; readonly to: MeasurementId }
  /** The share of throughput lost: 1 - of / to. */
  | { readonly kind: 'cost'; readonly of: MeasurementId; readonly to: MeasurementId }
  | { readonly kind: 'metric'; readonly of: MeasurementId; readonly metric: Metric };

export interface Goal {
  readonly op: '>=' | '<=' | '<';
  readonly target: number;
}

export type Section = 'ceilings' | 'peers' | 'clients' | 'goals';

export interface ComparisonSpec {
  readonly section: Section;
  readonly title: string;
  readonly value: Expression;
  readonly goal?: Goal;
}

/** The report's first tables: Docpipe against its ceilings, against its peers, then the goals. */
export const COMPARISONS: readonly ComparisonSpec[] = [
  {
    section: 'ceilings',
    title: 'single documents (JWT) / empty fastify route',
    value: { kind: 'ratio', of: 'docpipe.single.auth', to: 'ceiling.http' },
    goal: { op: '>=', target: 0.6 },
  },
  { section: 'ceilings', title: 'single documents (JWT) / Kafka producer', value: { kind: 'ratio', of: 'docpipe.single.auth', to: 'ceiling.kafka' } },
  {
    section: 'ceilings',
    title: 'batch endpoint / Kafka producer',
    value: { kind: 'ratio', of: 'docpipe.batch', to: 'ceiling.kafka' },
    goal: { op: '>=', target: 0.5 },
  },
  {
    section: 'ceilings',
    title: 'consumer / raw bulk insert',
    value: { kind: 'ratio', of: 'docpipe.consumer', to: 'ceiling.store' },
    goal: { op: '>=', target: 0.9 },
  },
  {
    section: 'peers',
    title: 'ingest single (JWT) / Kafka Bridge single',
    value: { kind: 'ratio', of: 'docpipe.single.auth', to: 'peer.bridge.single' },
    goal: { op: '>=', target: 1.5 },
  },
  {
    section: 'peers',
    title: 'ingest batch (JWT) / Kafka Bridge batch',
    value: { kind: 'ratio', of: 'docpipe.batch', to: 'peer.bridge.batch' },
    goal: { op: '>=', target: 1.5 },
  },
  {
    section: 'peers',
    title: 'consumer / MongoDB sink connector',
    value: { kind: 'ratio', of: 'docpipe.consumer', to: 'peer.sink' },
    goal: { op: '>=', target: 1.2 },
  },
  { section: 'peers', title: 'transform: CEL / JSONata', value: { kind: 'ratio', of: 'transform.cel', to: 'transform.jsonata' } },
  {
    section: 'clients',
    title: 'batch endpoint: @platformatic/kafka / kafkajs',
    value: { kind: 'ratio', of: 'client.platformatic.batch', to: 'client.kafkajs.batch' },
  },
  {
    section: 'clients',
    title: 'consumer drain: @platformatic/kafka / kafkajs',
    value: { kind: 'ratio', of: 'client.platformatic.consumer', to: 'client.kafkajs.consumer' },
  },
  { section: 'clients', title: 'p99 at the fixed rate on kafkajs, ms', value: { kind: 'metric', of: 'client.kafkajs.rate', metric: 'p99' } },
  { section: 'clients', title: 'p99 at the fixed rate on @platformatic/kafka, ms', value: { kind: 'metric', of: 'client.platformatic.rate', metric: 'p99' } },
  {
    section: 'goals',
    title: 'single documents with JWT, accepted/s',
    value: { kind: 'metric', of: 'docpipe.single.auth', metric: 'throughput' },
    goal: { op: '>=', target: 3000 },
  },
  {
    section: 'goals',
    title: 'p99 latency at the fixed rate, ms',
    value: { kind: 'metric', of: 'docpipe.single.rate', metric: 'p99' },
    goal: { op: '<', target: 100 },
  },
  {
    section: 'goals',
    title: 'p99 latency at the high fixed rate, ms',
    value: { kind: 'metric', of: 'docpipe.single.rate.high', metric: 'p99' },
    goal: { op: '<', target: 20 },
  },
  {
    section: 'goals',
    title: 'batch endpoint, docs/s',
    value: { kind: 'metric', of: 'docpipe.batch', metric: 'throughput' },
    goal: { op: '>=', target: 30_000 },
  },
  {
    section: 'goals',
    title: 'cost of authentication (1 - JWT / none)',
    value: { kind: 'cost', of: 'docpipe.single.auth', to: 'docpipe.single.noauth' },
    goal: { op: '<=', target: 0.05 },
  },
  {
    section: 'goals',
    title: 'seed replay, seconds',
    value: { kind: 'metric', of: 'docpipe.seed', metric: 'seconds' },
    goal: { op: '<', target: 3 },
  },
];

export interface Comparison extends ComparisonSpec {
  /** Absent when a measurement it needs did not run; `missing` then says which and why. */
  readonly result?: number;
  readonly missing?: string;
  /** Whether the goal is met; absent without a goal or a result. */
  readonly met?: boolean;
}

function metricOf(m: Measurement, metric: Metric): number | undefined {
  if (m.status !== 'ok') return undefined;
  if (metric === 'throughput') return m.throughput;
  if (metric === 'seconds') return m.seconds;
  return m.latencyMs?.p99;
}

export function meets(value: number, goal: Goal): boolean {
  if (goal.op === '>=') return value >= goal.target;
  if (goal.op === '<=') return value <= goal.target;
  return value < goal.target;
}

/** Evaluates every comparison against the measurements of one run. */
export function compare(measurements: readonly Measurement[], specs: readonly ComparisonSpec[] = COMPARISONS): Comparison[] {
  const byId = new Map(measurements.map((m) => [m.id, m]));
  const lookup = (id: MeasurementId, metric: Metric): { value?: number; missing?: string } => {
    const m = byId.get(id);
    if (!m) return { missing: `${id} was not measured` };
    if (m.status !== 'ok') return { missing: `${id} ${m.status}: ${m.reason}` };
    const value = metricOf(m, metric);
    return value === undefined ? { missing: `${id} has no ${metric}` } : { value };
  };

  return specs.map((spec): Comparison => {
    const e = spec.value;
    const of = lookup(e.of, e.kind === 'metric' ? e.metric : 'throughput');
    const to = e.kind === 'metric' ? { value: 1 } : lookup(e.to, 'throughput');
    const missing = [of.missing, to.missing].filter(Boolean).join('; ');
    if (missing || of.value === undefined || to.value === undefined) return { ...spec, missing };
    if (to.value === 0) return { ...spec, missing: `${e.kind === 'metric' ? e.of : e.to} measured 0` };
    const ratio = of.value / to.value;
    const result = e.kind === 'cost' ? 1 - ratio : ratio;
    return { ...spec, result, ...(spec.goal ? { met: meets(result, spec.goal) } : {}) };
  });
}

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly os: string;
  readonly kernel: string;
  readonly hostname: string;
}

export interface ProfileSummary {
  readonly file: string;
  /** Documents per request of the profiled run; absent in runs before batches were profiled (single documents). */
  readonly batchSize?: number;
  /** Accepted/s of the profiled run itself (under the profiler: not a result). */
  readonly docsPerSecond?: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly byArea: ReadonlyArray<{ readonly name: string; readonly percent: number }>;
  readonly topFunctions: ReadonlyArray<{ readonly name: string; readonly percent: number }>;
}

export interface RunResults {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: Machine;
  readonly versions: Readonly<Record<string, string>>;
  /** Every knob of the run (env and derived), so a result can be reproduced. */
  readonly parameters: Params;
  readonly comparisons: readonly Comparison[];
  readonly measurements: readonly Measurement[];
  /** CPU per document of each part (bench/src/costs.ts), which `make capacity` sizes a cluster from; absent in runs before it. */
  readonly costs?: Costs;
  /** ingest's CPU profile during a single-document run: where its time goes. */
  readonly ingestProfile?: ProfileSummary | { readonly unavailable: string };
  /** The same during a batch run. */
  readonly ingestBatchProfile?: ProfileSummary | { readonly unavailable: string };
  /** The store's costs at each size it was filled to (bench/src/growth.ts). */
  readonly growth?: GrowthResult;
  /** The soak at a fixed rate through the whole pipeline (bench/src/soak.ts); unavailable when it could not run. */
  readonly soak?: SoakResult | { readonly unavailable: string };
}

/** Puts a run together: comparisons first, as the report shows them; the costs per document from the measurements. */
export function assemble(run: Omit<RunResults, 'comparisons' | 'costs'>): RunResults {
  const { startedAt, finishedAt, machine, versions, parameters, measurements, ingestProfile, ingestBatchProfile, growth, soak } = run;
  return {
    startedAt,
    finishedAt,
    machine,
    versions,
    parameters,
    comparisons: compare(measurements),
    measurements,
    costs: costsOf(measurements),
    ...(ingestProfile ? { ingestProfile } : {}),
    ...(ingestBatchProfile ? { ingestBatchProfile } : {}),
    ...(growth ? { growth } : {}),
    ...(soak ? { soak } : {}),
  };
}
