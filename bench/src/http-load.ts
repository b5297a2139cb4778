// HTTP measurements through the load client (load/client runLoad): a warm-up run, then the measured
// run, both with the same documents, concurrency and connection pool size for every target.
import { NO_DEFECTS, type DefectShares } from '@docpipe/load/data';
import { DurationRecorder, runLoad, type Summary } from '@docpipe/load/client';
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

/**
 * Runs that take turns in rounds, ABBA (a b, b a, a b...), after a warm-up of each target: the
 * drift of the machine and of the broker over the rounds falls on every target alike, where runs
 * one after the other gave the later one a warmer broker (or a busier neighbour). Each target's
 * count is spread over the rounds. One outcome per target, over all its rounds: accepted documents
 * per second of sending time, latency over every request.
 */
export async function alternatingMeasurements(runs: readonly HttpRun[], rounds: number): Promise<Outcome[]> {
  for (const run of runs) if (run.warmup > 0) await runLoad(options({ ...run, rate: undefined }, run.warmup));
  const targets = runs.map((run) => ({ run, latency: new DurationRecorder(), accepted: 0, elapsedMs: 0, perRound: [] as number[], problems: [] as string[] }));
  for (let round = 0; round < rounds; round++) {
    for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
      const { run } = target;
      const count = Math.floor((run.count * (round + 1)) / rounds) - Math.floor((run.count * round) / rounds);
      const summary = await runLoad({ ...options(run, count), latency: target.latency });
      target.accepted += summary.accepted;
      target.elapsedMs += summary.elapsedMs;
      target.perRound.push(summary.acceptedPerSecond);
      target.problems.push(...summary.problems);
    }
  }
  return targets.map(({ latency, accepted, elapsedMs, perRound, problems }): Outcome => {
    if (accepted === 0) return { status: 'failed', reason: problems.join('; ') || 'no document was accepted' };
    const { p50, p95, p99, max } = latency.percentiles();
    const rate = (docsPerSecond: number) => Math.round(docsPerSecond).toLocaleString('en-US');
    return {
      status: 'ok',
      throughput: (accepted * 1000) / elapsedMs,
      count: accepted,
      seconds: elapsedMs / 1000,
      latencyMs: { p50, p95, p99, max },
      notes: [`${rounds} rounds alternating with the other server, docs/s: ${perRound.map(rate).join(', ')}`, ...problems],
    };
  });
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
