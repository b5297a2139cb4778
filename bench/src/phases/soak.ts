// The soak: ingest (JWT) and the consumer together, single documents at a fixed rate of half the
// capacity for BENCH_SOAK_SECONDS, sampling each second what would show a leak or a falling-behind
// (both services' RSS, event-loop delay and GC pauses, and the consumer group's lag), then waiting
// for the consumer to catch up and checking that every accepted document was stored.
import { CONSUMER_GROUP, INVOICES } from '@docpipe/contract';
import { NO_DEFECTS } from '@docpipe/load/data';
import { runLoad } from '@docpipe/load/client';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import type { BenchContext } from '../context.js';
import { BENCH_USER, httpMeasurement, httpRun } from '../http-load.js';
import { firstLine, log } from '../measure.js';
import type { BenchOptions } from '../options.js';
import { TOPICS, type Pipeline } from '../pipeline.js';
import { withProcess } from '../processes.js';
import type { Measurement, RunResults } from '../results.js';
import * as services from '../services.js';
import {
  fitFrom,
  groupLag,
  halfOf,
  readingOf,
  sampleOf,
  SERVICE_COUNTERS,
  storageProblems,
  summarizeSoak,
  type RateSource,
  type Readings,
  type ServiceReading,
  type SoakResult,
  type SoakSample,
} from '../soak.js';
import { DRAIN_TIMEOUT_MS } from './drains.js';


/** Long enough for a busy service's /metrics, short enough not to hold up the next second's sample. */
const SCRAPE_TIMEOUT_MS = 900;

/**
 * The rate: BENCH_SOAK_RATE when set, else half of what ingest's single-document run with JWT
 * measured earlier in the run, else half of a short measurement of the same kind (ingest alone,
 * a warm-up, a quarter of BENCH_SINGLE_DOCS).
 */
async function soakRate(ctx: BenchContext, o: BenchOptions, measured: readonly Measurement[]): Promise<{ rate: number; source: RateSource }> {
  if (o.soakRate !== undefined) return { rate: o.soakRate, source: { kind: 'knob' } };
  const single = measured.find((m) => m.id === 'docpipe.single.auth');
  if (single?.status === 'ok') return { rate: halfOf(single.throughput), source: { kind: 'ingest', capacity: single.throughput } };
  const docs = Math.max(1, Math.round(o.singleDocs / 4));
  log(`soak: measuring ingest's capacity over ${docs} single documents with JWT (no docpipe.single.auth in this run)`);
  const probe = await withProcess(services.ingest(ctx, { authMode: 'jwt' }), () => httpMeasurement(httpRun(ctx.ingestPort, o, 1, docs)));
  if (probe.status !== 'ok') throw new Error(`the capacity probe failed: ${probe.reason}`);
  return { rate: halfOf(probe.throughput), source: { kind: 'probe', capacity: probe.throughput } };
}

async function scrape(port: number, counter: string): Promise<ServiceReading | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
    return res.ok ? readingOf(await res.text(), counter) : undefined;
  } catch {
    // A gap in the series for this second, not the end of the soak.
    return undefined;
  }
}

async function lagOf(admin: Admin): Promise<number | undefined> {
  try {
    const [ends, [committed]] = await Promise.all([
      admin.fetchTopicOffsets(TOPICS.documents),
      admin.fetchOffsets({ groupId: CONSUMER_GROUP, topics: [TOPICS.documents] }),
    ]);
    return groupLag(ends, committed?.partitions ?? []);
  } catch {
    return undefined;
  }
}

/**
 * Samples once a second, on the second, until `signal` aborts. A sample slower than a second
 * skips the ticks it overran instead of bunching samples after it.
 */
async function sampleEverySecond(read: (t: number) => Promise<Readings>, signal: AbortSignal): Promise<SoakSample[]> {
  const samples: SoakSample[] = [];
  const start = performance.now();
  let before: Readings | undefined;
  for (let tick = 1; ; tick++) {
    try {
      await sleep(Math.max(0, start + tick * 1000 - performance.now()), undefined, { signal });
    } catch {
      return samples;
    }
    const now = await read((performance.now() - start) / 1000);
    const sample = sampleOf(now, before);
    samples.push(sample);
    before = now;
    if (tick % 60 === 0) log(`soak: ${tick} s, RSS ingest ${sample.ingestRssMiB ?? '?'} MiB, consumer ${sample.consumerRssMiB ?? '?'} MiB, lag ${sample.lagRecords ?? '?'} records`);
    tick = Math.max(tick, Math.floor((performance.now() - start) / 1000));
  }
}

export async function soak(ctx: BenchContext, o: BenchOptions, pipeline: Pipeline, measured: readonly Measurement[]): Promise<NonNullable<RunResults['soak']>> {
  try {
    const { rate, source } = await soakRate(ctx, o, measured);
    const count = rate * o.soakSeconds;
    await pipeline.reset();
    log(`soak: ${rate} documents/s for ${o.soakSeconds} s (${count} documents) through ingest and the consumer, sampled each second`);
    const admin = pipeline.kafka.admin();
    await admin.connect();
    try {
      return await withProcess(services.consumer(ctx, o), () =>
        withProcess(services.ingest(ctx, { authMode: 'jwt' }), async (): Promise<SoakResult> => {
          const stop = new AbortController();
          const read = async (t: number): Promise<Readings> => {
            const [ingest, consumer, lagRecords] = await Promise.all([
              scrape(ctx.ingestPort, SERVICE_COUNTERS.accepted),
              scrape(ctx.consumerMetricsPort, SERVICE_COUNTERS.stored),
              lagOf(admin),
            ]);
            return { t, ...(ingest ? { ingest } : {}), ...(consumer ? { consumer } : {}), ...(lagRecords === undefined ? {} : { lagRecords }) };
          };
          const sampling = sampleEverySecond(read, stop.signal);
          const summary = await runLoad({
            ...BENCH_USER,
            url: `http://127.0.0.1:${ctx.ingestPort}`,
            count,
            rate,
            concurrency: o.concurrency,
            batchSize: 1,
            seed: o.seed,
            defects: NO_DEFECTS,
            // Checked below by a count of the store, not by looking each document up.
            wait: false,
          }).finally(() => stop.abort());
          const lastAnswer = performance.now();
          const samples = await sampling;
          const problems = [...summary.problems];
          let catchUpSeconds: number | undefined;
          try {
            catchUpSeconds = ((await pipeline.waitForCommitted(CONSUMER_GROUP, TOPICS.documents, DRAIN_TIMEOUT_MS)) - lastAnswer) / 1000;
          } catch (error) {
            problems.unshift(`the consumer did not catch up: ${firstLine(error)}`);
          }
          const stored = await pipeline.count([INVOICES.collections.documents]);
          const lost = storageProblems(summary.accepted, stored);
          problems.unshift(...lost);
          const status = lost.length === 0 && catchUpSeconds !== undefined ? 'ok' : 'failed';
          const { p50, p95, p99, max } = summary.latencyMs;
          const fromSeconds = fitFrom(o.soakSeconds);
          const result: SoakResult = {
            status,
            problems,
            rate,
            rateSource: source,
            seconds: o.soakSeconds,
            fitFromSeconds: fromSeconds,
            sent: summary.sent,
            accepted: summary.accepted,
            stored,
            achievedRate: summary.acceptedPerSecond,
            latencyMs: { p50, p95, p99, max },
            ...(catchUpSeconds === undefined ? {} : { catchUpSeconds }),
            series: summarizeSoak(samples, fromSeconds),
            samples,
          };
          if (status === 'failed') log(`\x1b[1;31msoak FAILED\x1b[0m: ${problems.join('; ')}`);
          else log(`soak: ${summary.accepted} accepted, ${stored} stored, caught up ${catchUpSeconds?.toFixed(1)} s after the last answer`);
          return result;
        }),
      );
    } finally {
      await admin.disconnect();
    }
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    log(`\x1b[1;31msoak FAILED\x1b[0m: ${firstLine(error)}`);
    return { unavailable: firstLine(error) };
  }
}
