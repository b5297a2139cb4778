// The store as it grows: the invoices collection filled to each size by writing FerretDB's file
// directly (store-fill.ts), and at each size the lookups a user makes (GET through ingest), the raw
// insert ceiling and the consumer's drain into that collection, and the store's size on disk. What
// a measurement wrote is removed before the next, so each one starts at the size it is reported at.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CONSUMER_GROUP, ferretdbSqliteDirectory, INVOICES } from '@docpipe/contract';
import { toStoredDocument, type StoredDocument } from '@docpipe/pipeline';
import { Api, documentsPath, DurationRecorder } from '@docpipe/load/client';
import { decodeJwt } from 'jose';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from '../context.js';
import { envelopes, invoices } from '../documents.js';
import { medianOutcome, type GrowthPoint, type GrowthResult } from '../growth.js';
import { BENCH_USER } from '../http-load.js';
import { firstLine, log, withCpuFrame } from '../measure.js';
import type { BenchOptions } from '../options.js';
import type { Pipeline } from '../pipeline.js';
import { withProcess } from '../processes.js';
import type { Outcome } from '../results.js';
import * as services from '../services.js';
import { parseExposition, SERVICE_COUNTERS } from '../soak.js';
import { storeCeiling } from '../store-ceiling.js';
import { StoreFile } from '../store-fill.js';
import { drain, DRAIN_TIMEOUT_MS, type DrainCheck } from './drains.js';

/** Documents FerretDB stores itself, which the generator then copies: the variety of the collection. */
const TEMPLATES = 1000;
const COLLECTION = INVOICES.collections.documents;

/** Runs the jobs' store-indexes as the stack's schedule does, so the collection has the index a user's stack gives it. */
async function indexStore(ctx: BenchContext, sqliteUrl: string): Promise<void> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(ctx.root, 'services/jobs/dist/main.js'), 'store-indexes'], {
    env: { ...ctx.serviceEnv, FERRETDB_SQLITE_URL: sqliteUrl, LOG_LEVEL: 'info' },
  });
  log(`store-indexes: ${stdout.trim().split('\n').at(-1) ?? ''}`);
}

/** The consumer's own count of what it stored, from its /metrics. */
async function storedByConsumer(ctx: BenchContext): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${ctx.consumerMetricsPort}/metrics`, { signal: AbortSignal.timeout(2000) });
  return parseExposition(await res.text()).get(SERVICE_COUNTERS.stored) ?? 0;
}

/**
 * The collection is large, so neither the first document nor the end is found by counting it
 * (FerretDB reads every document to count): the first is the consumer's stored counter leaving
 * zero, and the end is checked in SQLite's own count, untimed, once the group has committed.
 */
function consumerCheck(ctx: BenchContext, file: StoreFile, expected: number): DrainCheck {
  const before = file.count(COLLECTION);
  return {
    firstStored: async (signal) => {
      const deadline = performance.now() + DRAIN_TIMEOUT_MS;
      for (;;) {
        signal.throwIfAborted();
        const stored = await storedByConsumer(ctx).catch(() => 0);
        if (stored > 0) return performance.now();
        if (performance.now() > deadline) throw new Error('the consumer stored nothing');
        await sleep(50);
      }
    },
    verify: async () => {
      const added = file.count(COLLECTION) - before;
      if (added !== expected) throw new Error(`the whole topic was committed, but ${COLLECTION} gained ${added} of ${expected} documents`);
    },
  };
}

/** GETs of stored ids and of ids never stored, alternated, one at a time; every answer checked. */
async function gets(api: Api, storedIds: readonly string[], count: number): Promise<GrowthPoint['get']> {
  const time = async (id: string, status: number, into?: DurationRecorder) => {
    const started = performance.now();
    const reply = await api.getDocument(id);
    into?.record(performance.now() - started);
    if (reply.status !== status) throw new Error(`GET ${id}: ${reply.status}, expected ${status}`);
  };
  // Unmeasured: the first requests open the connection and warm ingest's path.
  for (let i = 0; i < 10; i += 1) await time(storedIds[i % storedIds.length] as string, 200);
  const stored = new DurationRecorder();
  const missing = new DurationRecorder();
  for (let i = 0; i < count; i += 1) {
    await time(storedIds[i % storedIds.length] as string, 200, stored);
    await time(randomUUID(), 404, missing);
  }
  return { stored: stored.percentiles(), missing: missing.percentiles(), count };
}

/** One measurement of a size, with the CPU each process used meanwhile; a failure is a result that says why. */
async function framed(ctx: BenchContext, what: string, run: () => Promise<Outcome>): Promise<GrowthPoint['drain']> {
  try {
    const { value, otherCpu, cores } = await withCpuFrame(ctx, run);
    log(`${what}: ${value.status === 'ok' ? `${Math.round(value.throughput)} docs/s` : value.status}`);
    return { ...value, otherCpu, cores };
  } catch (error) {
    log(`${what} failed: ${firstLine(error)}`);
    return { status: 'failed', reason: firstLine(error) };
  }
}

export async function growth(ctx: BenchContext, o: BenchOptions, pipeline: Pipeline): Promise<GrowthResult> {
  const sqliteUrl = ctx.ferretdbSqliteUrl;
  if (!sqliteUrl) return { unavailable: "FERRETDB_SQLITE_URL is not set: the generator writes FerretDB's SQLite files, the bench stack's store" };
  const first = o.growthSizes[0] as number;
  const templates = Math.min(TEMPLATES, first);
  await pipeline.reset();
  const points: GrowthPoint[] = [];
  await withProcess(services.ingest(ctx, { authMode: 'jwt' }), async () => {
    const api = new Api(`http://127.0.0.1:${ctx.ingestPort}`, { connections: 1, timeoutMs: 30_000, documentsPath: documentsPath(undefined) });
    try {
      const owner = decodeJwt(await api.login(BENCH_USER.user, BENCH_USER.password)).sub as string;
      // The templates go through FerretDB, in the consumer's stored form, owned by the bench's user.
      const storedAt = new Date();
      const seeds = envelopes(templates, o.seed).map((e) => ({ ...toStoredDocument(invoices, e.value, storedAt), owner }));
      await pipeline.db.collection<StoredDocument>(COLLECTION).insertMany(seeds, { ordered: false });
      await indexStore(ctx, sqliteUrl);
      const file = new StoreFile(ferretdbSqliteDirectory(sqliteUrl), ctx.database);
      try {
        for (const [i, size] of o.growthSizes.entries()) {
          const filling = performance.now();
          file.fill(COLLECTION, Math.max(0, size - file.count(COLLECTION)), templates, owner);
          const fillSeconds = (performance.now() - filling) / 1000;
          const at = file.count(COLLECTION);
          log(`growth: ${at} documents (filled in ${fillSeconds.toFixed(1)} s)`);
          const bytesOnDisk = file.bytesOnDisk();
          const mark = file.mark(COLLECTION);
          const get = await gets(api, file.sampleIds(COLLECTION, o.growthLookups, owner), o.growthLookups);
          // Rounds, each from the same size, and the median of each: a single drain of a few
          // seconds moved by a tenth between runs, as much as the goal allows.
          const inserts: GrowthPoint['insert'][] = [];
          const drains: GrowthPoint['drain'][] = [];
          for (let round = 0; round < o.growthRounds; round += 1) {
            inserts.push(
              await framed(ctx, `raw insert at ${at}, round ${round + 1}`, () =>
                storeCeiling(
                  { db: pipeline.db, collection: COLLECTION, chunkSize: o.chunkSize, concurrency: o.partitionsConcurrently },
                  envelopes(o.chunkSize, o.seed + i),
                  envelopes(o.growthDocs, o.seed + i),
                ),
              ),
            );
            file.removeAfter(COLLECTION, mark);
            await pipeline.resetKafka();
            await pipeline.fill(envelopes(o.growthDocs, o.seed + i));
            drains.push(
              await framed(ctx, `drain at ${at}, round ${round + 1}`, () =>
                drain(pipeline, services.consumer(ctx, o), CONSUMER_GROUP, o.growthDocs, consumerCheck(ctx, file, o.growthDocs)),
              ),
            );
            file.removeAfter(COLLECTION, mark);
          }
          const insert = medianOutcome(inserts);
          const drained = medianOutcome(drains);
          points.push({ size: at, fillSeconds, get, insert, drain: drained, bytesOnDisk });
        }
      } finally {
        file.close();
      }
    } finally {
      await api.close();
    }
  });
  return { collection: COLLECTION, documents: o.growthDocs, points };
}
