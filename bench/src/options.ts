// Every knob of a run, read from BENCH_* variables. The load client sends a number of documents
// rather than for a time, so sizes are counts (the fixed-rate run and the soak are durations); the
// defaults are sized for the whole `make bench` to finish within 25 minutes on a 2-core box, the
// soak's fixed duration included (bench/README.md has the measured times).
// BENCH_SCALE multiplies every count except the seed replay's, for quick runs on a busy machine.

export interface BenchOptions {
  /** Multiplies the counts below (not seedDocs: its goal is about those 5,000 documents). */
  readonly scale: number;
  /** Requests in flight against every HTTP target: ingest, the empty route, the bridge. */
  readonly concurrency: number;
  /** Documents per warm-up run before each HTTP measurement (not counted). */
  readonly warmupDocs: number;
  /** Documents per single-document measurement (JWT, none, empty route, bridge singles). */
  readonly singleDocs: number;
  /** Documents per request on the batch endpoint and the bridge. */
  readonly batchSize: number;
  readonly batchDocs: number;
  /** The fixed-rate runs: documents per second, and a higher rate, each for this many seconds. */
  readonly rate: number;
  readonly highRate: number;
  readonly rateSeconds: number;
  /** Documents sent while ingest runs under --cpu-prof (a run of its own, so no figure pays for the profiler). */
  readonly profileDocs: number;
  /** Documents of the profiled batch run, in requests of batchSize. */
  readonly profileBatchDocs: number;
  readonly kafkaRecords: number;
  readonly storeDocs: number;
  /** Envelopes pre-filled into the topic that the consumer and the sink connector drain. */
  readonly drainDocs: number;
  readonly seedDocs: number;
  /** Documents each transform language handles in the transform phase. */
  readonly transformDocs: number;
  readonly seedInvalidShare: number;
  /** The consumer's defaults, which the store ceiling and the sink connector copy for parity. */
  readonly chunkSize: number;
  readonly partitionsConcurrently: number;
  /** Generator seed: every target gets the same documents. */
  readonly seed: number;
  /** The growth phase: the sizes the store is filled to, ascending, and what is written and read at each. */
  readonly growthSizes: readonly number[];
  readonly growthDocs: number;
  readonly growthLookups: number;
  /** Drains and insert ceilings made at each size; the median of each is reported. */
  readonly growthRounds: number;
  /** The soak: this many seconds at a fixed rate through ingest and the consumer together. */
  readonly soakSeconds: number;
  /** The soak's documents per second when set; otherwise half the capacity measured in the run. */
  readonly soakRate?: number;
  /** The phases to run, in their fixed order; a partial run leaves latest.* alone. */
  readonly phases: readonly Phase[];
}

/** The run's phases, in the order they run. */
export const PHASES = ['transform', 'ceilings', 'ingest', 'bridge', 'drains', 'kafka-client', 'seed', 'growth', 'soak'] as const;
export type Phase = (typeof PHASES)[number];

function readPhases(env: NodeJS.ProcessEnv): Phase[] {
  const text = env['BENCH_ONLY']?.trim();
  if (!text) return [...PHASES];
  const asked = text.split(',').map((p) => p.trim());
  const unknown = asked.filter((p) => !(PHASES as readonly string[]).includes(p));
  if (unknown.length > 0) throw new OptionsError(`BENCH_ONLY=${text}: unknown phase ${unknown.join(', ')}; use some of ${PHASES.join(', ')}`);
  return PHASES.filter((p) => asked.includes(p));
}

const DEFAULTS = {
  BENCH_SCALE: 1,
  BENCH_CONCURRENCY: 32,
  BENCH_WARMUP_DOCS: 5000,
  BENCH_SINGLE_DOCS: 60_000,
  BENCH_BATCH_SIZE: 1000,
  BENCH_BATCH_DOCS: 300_000,
  BENCH_RATE: 1000,
  BENCH_HIGH_RATE: 2000,
  BENCH_RATE_SECONDS: 30,
  BENCH_PROFILE_DOCS: 30_000,
  BENCH_PROFILE_BATCH_DOCS: 150_000,
  BENCH_KAFKA_RECORDS: 500_000,
  BENCH_STORE_DOCS: 40_000,
  BENCH_DRAIN_DOCS: 40_000,
  BENCH_SEED_DOCS: 5000,
  BENCH_TRANSFORM_DOCS: 200_000,
  BENCH_SEED_INVALID_SHARE: 0.25,
  CONSUMER_CHUNK_SIZE: 1000,
  CONSUMER_PARTITIONS_CONCURRENTLY: 3,
  BENCH_SEED: 1,
  BENCH_SOAK_SECONDS: 600,
  BENCH_GROWTH_DOCS: 50_000,
  BENCH_GROWTH_LOOKUPS: 200,
  BENCH_GROWTH_ROUNDS: 3,
} as const;

type Name = keyof typeof DEFAULTS;

export class OptionsError extends Error {
  override readonly name = 'OptionsError';
}

function read(env: NodeJS.ProcessEnv, name: Name, check: (n: number) => boolean, rule: string): number {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return DEFAULTS[name];
  const value = Number(text);
  if (!Number.isFinite(value) || !check(value)) throw new OptionsError(`${name}=${text}: ${rule}`);
  return value;
}

const wholePositive = (n: number) => Number.isInteger(n) && n > 0;

/** BENCH_SOAK_RATE has no default: unset, the soak takes half of the capacity measured in the run. */
function soakRate(env: NodeJS.ProcessEnv): { soakRate?: number } {
  const text = env['BENCH_SOAK_RATE']?.trim();
  if (text === undefined || text === '') return {};
  const value = Number(text);
  if (!wholePositive(value)) throw new OptionsError(`BENCH_SOAK_RATE=${text}: use a whole number above 0`);
  return { soakRate: value };
}

const GROWTH_SIZES = [10_000, 100_000, 1_000_000];

/** BENCH_GROWTH_SIZES: a comma-separated list, ascending; BENCH_SCALE scales it like the counts. */
function growthSizes(env: NodeJS.ProcessEnv, scale: number): number[] {
  const text = env['BENCH_GROWTH_SIZES']?.trim();
  const sizes = text ? text.split(',').map((s) => Number(s.trim())) : GROWTH_SIZES;
  if (sizes.some((n) => !wholePositive(n)) || sizes.some((n, i) => i > 0 && n <= (sizes[i - 1] as number))) {
    throw new OptionsError(`BENCH_GROWTH_SIZES=${text}: use whole numbers above 0, ascending, comma-separated`);
  }
  return sizes.map((n) => Math.max(1, Math.round(n * scale)));
}

export function readOptions(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const count = (name: Name) => read(env, name, wholePositive, 'use a whole number above 0');
  const scale = read(env, 'BENCH_SCALE', (n) => n > 0 && n <= 100, 'use a number above 0 and at most 100');
  // Scaled counts keep at least one request's worth, so a tiny scale still measures something.
  const scaled = (name: Name, atLeast = 1) => Math.max(atLeast, Math.round(count(name) * scale));
  const batchSize = count('BENCH_BATCH_SIZE');
  return {
    scale,
    concurrency: count('BENCH_CONCURRENCY'),
    warmupDocs: scaled('BENCH_WARMUP_DOCS'),
    singleDocs: scaled('BENCH_SINGLE_DOCS'),
    batchSize,
    batchDocs: scaled('BENCH_BATCH_DOCS', batchSize),
    rate: count('BENCH_RATE'),
    highRate: count('BENCH_HIGH_RATE'),
    rateSeconds: Math.max(1, Math.round(count('BENCH_RATE_SECONDS') * scale)),
    profileDocs: scaled('BENCH_PROFILE_DOCS'),
    profileBatchDocs: scaled('BENCH_PROFILE_BATCH_DOCS', batchSize),
    kafkaRecords: scaled('BENCH_KAFKA_RECORDS'),
    storeDocs: scaled('BENCH_STORE_DOCS'),
    drainDocs: scaled('BENCH_DRAIN_DOCS'),
    seedDocs: count('BENCH_SEED_DOCS'),
    transformDocs: scaled('BENCH_TRANSFORM_DOCS'),
    seedInvalidShare: read(env, 'BENCH_SEED_INVALID_SHARE', (n) => n >= 0 && n <= 1, 'use a share from 0 to 1'),
    chunkSize: count('CONSUMER_CHUNK_SIZE'),
    partitionsConcurrently: count('CONSUMER_PARTITIONS_CONCURRENTLY'),
    seed: count('BENCH_SEED'),
    growthSizes: growthSizes(env, scale),
    growthDocs: scaled('BENCH_GROWTH_DOCS', 1000),
    growthLookups: count('BENCH_GROWTH_LOOKUPS'),
    growthRounds: count('BENCH_GROWTH_ROUNDS'),
    soakSeconds: Math.max(1, Math.round(count('BENCH_SOAK_SECONDS') * scale)),
    ...soakRate(env),
    phases: readPhases(env),
  };
}
