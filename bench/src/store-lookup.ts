// Reads by _id against the store, as GET /v1/documents/{id} makes them (findOne({_id})), and the
// writes that fill the collection first, as the consumer makes them: unordered insertMany of its
// chunk size, some documents sent again (a replay after a crash) and refused with E11000. A growth
// measurement alternates the two: fill to a size, time the lookups, fill on (docs/store-lookups.md).
import { randomUUID } from 'node:crypto';
import { toStoredDocument, type StoredDocument } from '@docpipe/pipeline';
import { MongoBulkWriteError, type Db } from 'mongodb';
import { invoices, type Envelope } from './documents.js';
import type { Latency } from './results.js';
import { chunks } from './store-ceiling.js';

const DUPLICATE_KEY = 11000;

export interface FillRun {
  readonly db: Db;
  readonly collection: string;
  readonly chunkSize: number;
  /** insertMany calls in flight at once, as the consumer handles partitions. */
  readonly concurrency: number;
  /** Share of each chunk that repeats a document of the chunk before (0 to 1). */
  readonly duplicateShare: number;
}

export interface FillResult {
  readonly sent: number;
  readonly inserted: number;
  readonly duplicates: number;
  readonly seconds: number;
  /** Documents sent per second, duplicates included: what the consumer gets through. */
  readonly throughput: number;
}

/**
 * The chunks the consumer would write for `items`: each chunk after the first carries
 * `duplicateShare` of its size taken from the chunk before, in place of as many new documents.
 */
export function chunksWithDuplicates<T>(items: readonly T[], size: number, duplicateShare: number): T[][] {
  const repeats = Math.round(size * duplicateShare);
  const fresh = Math.max(1, size - repeats);
  const out: T[][] = [];
  for (let at = 0; at < items.length; at += fresh) {
    const chunk = items.slice(at, at + fresh);
    const before = out.at(-1);
    if (before) chunk.push(...before.slice(0, Math.min(repeats, before.length)));
    out.push(chunk);
  }
  return out;
}

/** Inserts `items` (ingest's envelopes) in their stored form; E11000 counts as a duplicate, anything else throws. */
export async function fill(run: FillRun, items: readonly Envelope[]): Promise<FillResult> {
  const storedAt = new Date();
  const docs = items.map((e) => toStoredDocument(invoices, e.value, storedAt));
  const batches = chunksWithDuplicates(docs, run.chunkSize, run.duplicateShare);
  const target = run.db.collection<StoredDocument>(run.collection);
  let next = 0;
  let inserted = 0;
  let duplicates = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next] as StoredDocument[];
      next += 1;
      try {
        const result = await target.insertMany(batch, { ordered: false });
        inserted += result.insertedCount;
      } catch (error) {
        if (!(error instanceof MongoBulkWriteError)) throw error;
        const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
        const other = errors.find((e) => e.code !== DUPLICATE_KEY);
        if (other) throw new Error(`insertMany refused a document: ${other.errmsg ?? `code ${other.code}`}`);
        inserted += error.insertedCount;
        duplicates += errors.length;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: run.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const sent = batches.reduce((n, b) => n + b.length, 0);
  return { sent, inserted, duplicates, seconds, throughput: sent / seconds };
}

/** Nearest-rank percentiles of durations in milliseconds. */
export function latency(durations: readonly number[]): Latency {
  if (durations.length === 0) throw new Error('no durations');
  const sorted = [...durations].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return { p50: round(at(50)), p95: round(at(95)), p99: round(at(99)), max: round(sorted.at(-1) as number) };
}

export interface LookupResult {
  readonly stored: Latency;
  readonly missing: Latency;
}

/**
 * `count` findOne({_id}) of stored ids and as many of ids never stored, alternated, one at a time
 * as a single client makes them, after a few unmeasured ones. Each stored lookup is checked to
 * find its document, each missing one to find none.
 */
export async function lookups(db: Db, collection: string, storedIds: readonly string[], count: number): Promise<LookupResult> {
  if (storedIds.length === 0) throw new Error('no stored ids to look up');
  const target = db.collection<{ _id: string }>(collection);
  const time = async (id: string, present: boolean) => {
    const started = performance.now();
    const found = await target.findOne({ _id: id });
    const ms = performance.now() - started;
    if ((found !== null) !== present) throw new Error(`findOne({_id: ${id}}) ${present ? 'found nothing' : 'found a document'}`);
    return ms;
  };
  // A stride through the ids (a prime, so any length is covered without repeats) instead of a
  // random pick: runs of the same size look up the same documents.
  const pick = (i: number) => storedIds[(i * 7919) % storedIds.length] as string;
  for (let i = 0; i < 5; i += 1) {
    await time(pick(count + i), true);
    await time(randomUUID(), false);
  }
  const stored: number[] = [];
  const missing: number[] = [];
  for (let i = 0; i < count; i += 1) {
    stored.push(await time(pick(i), true));
    missing.push(await time(randomUUID(), false));
  }
  return { stored: latency(stored), missing: latency(missing) };
}
