// HTTP measurements through the load client (load/client runLoad): a warm-up run, then the measured
// run, both with the same documents, concurrency and connection pool size for every target.
import { NO_DEFECTS, type DefectShares } from '@docpipe/load/data';
import { runLoad, type Summary } from '@docpipe/load/client';
import type { BenchOptions } from './options.js';
import type { Outcome } from './results.js';

export interface HttpRun {
  readonly url: string;
  readonly count: number;
  readonly warmup: number;
  readonly concurrency: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly rate?: number;
  readonly defects?: DefectShares;
}

export const BENCH_USER = { user: 'bench', password: 'bench-password' } as const;

function options(run: HttpRun, count: number) {
  return {
    ...BENCH_USER,
    url: run.url,
    count,
    concurrency: run.concurrency,
    batchSize: run.batchSize,
    seed: run.seed,
    rate: run.rate,
    defects: run.defects ?? NO_DEFECTS,
    // Storage is measured by the drain and seed-replay measurements; here only the HTTP side counts.
    wait: false,
  };
}

/** The outcome of a load summary: accepted documents per second and per-request latency. */
export function outcomeOf(summary: Summary): Outcome {
  if (summary.accepted === 0) return { status: 'failed', reason: summary.problems.join('; ') || 'no document was accepted' };
  const { p50, p95, p99, max } = summary.latencyMs;
  return {
    status: 'ok',
    throughput: summary.acceptedPerSecond,
    count: summary.accepted,
    seconds: summary.elapsedMs / 1000,
    latencyMs: { p50, p95, p99, max },
    ...(summary.ok ? {} : { notes: summary.problems }),
  };
}

export async function httpMeasurement(run: HttpRun): Promise<Outcome> {
  if (run.warmup > 0) await runLoad(options({ ...run, rate: undefined }, run.warmup));
  return outcomeOf(await runLoad(options(run, run.count)));
}

/** The parameters of an HTTP measurement, as the results record them. */
export const httpParams = (o: BenchOptions, batchSize: number, documents: number, rate?: number) => ({
  documents,
  warmupDocuments: o.warmupDocs,
  concurrency: o.concurrency,
  batchSize,
  seed: o.seed,
  invalidShare: 0,
  ...(rate ? { rate } : {}),
});

export const httpRun = (port: number, o: BenchOptions, batchSize: number, count: number, rate?: number): HttpRun => ({
  url: `http://127.0.0.1:${port}`,
  count,
  warmup: o.warmupDocs,
  concurrency: o.concurrency,
  batchSize,
  seed: o.seed,
  ...(rate ? { rate } : {}),
});
