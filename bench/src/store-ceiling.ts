// The store's ceiling: the consumer's write without the consumer. Envelopes are transformed
// beforehand (toStoredDocument, as the consumer does) so only the writes are timed: unordered
// insertMany of the consumer's chunk size, as many at once as the consumer handles partitions.
import { toStoredDocument, type StoredDocument } from '@docpipe/pipeline';
import type { Db } from 'mongodb';
import { invoices, type Envelope } from './documents.js';
import type { Outcome } from './results.js';

export interface StoreRun {
  readonly db: Db;
  readonly collection: string;
  readonly chunkSize: number;
  readonly concurrency: number;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

async function insertAll(db: Db, collection: string, batches: readonly StoredDocument[][], concurrency: number): Promise<void> {
  const target = db.collection<StoredDocument>(collection);
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next] as StoredDocument[];
      next += 1;
      await target.insertMany(batch, { ordered: false });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export async function storeCeiling(run: StoreRun, warmup: readonly Envelope[], measured: readonly Envelope[]): Promise<Outcome> {
  const storedAt = new Date();
  const transform = (items: readonly Envelope[]) => chunks(items.map((e) => toStoredDocument(invoices, e.value, storedAt)), run.chunkSize);
  await insertAll(run.db, `${run.collection}_warmup`, transform(warmup), run.concurrency);
  const batches = transform(measured);
  const started = performance.now();
  await insertAll(run.db, run.collection, batches, run.concurrency);
  const seconds = (performance.now() - started) / 1000;
  return { status: 'ok', throughput: measured.length / seconds, count: measured.length, seconds };
}
