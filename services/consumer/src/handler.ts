import { toStoredDocument, toStoredRejection, type StoredRejection } from '@docpipe/invoice';
import type { ConsumedRecord, RecordChunk } from '@docpipe/kafka';
import type { Document } from 'mongodb';
import { shortReason, type Poisoned } from './classify.js';
import type { DeadLetters, PoisonRecord } from './deadletters.js';
import type { ConsumerMetrics } from './metrics.js';
import type { Store } from './store.js';

export const DOCUMENTS_COLLECTION = 'documents';
export const REJECTED_COLLECTION = 'rejected';

interface Route {
  readonly collection: string;
  readonly transform: (value: Buffer | null, storedAt: Date) => Document;
  /** A second form for a document the store refused, if the collection has one. */
  readonly fallback?: (doc: Document) => Document | undefined;
}

/**
 * A rejection keeps the client's JSON in `doc`. A store that refuses some of its keys or values
 * (FerretDB v1: keys starting with '$' or holding '.', which are exactly what ingest rejects as
 * forbidden_key) is given the same JSON as text in `raw`, so the rejection is still stored instead
 * of dead-lettered. MongoDB 5+ accepts such keys and never gets here.
 */
function rejectionAsText(doc: Document): Document | undefined {
  const rejection = doc as StoredRejection;
  if (!('doc' in rejection)) return undefined;
  const { doc: client, ...rest } = rejection;
  return { ...rest, raw: JSON.stringify(client) };
}

export interface HandlerOptions {
  readonly topics: { readonly documents: string; readonly rejected: string };
  readonly store: Pick<Store, 'insertAll'>;
  readonly deadLetters: Pick<DeadLetters, 'send'>;
  readonly metrics: ConsumerMetrics;
  /** Aborts when a stop has waited long enough for failing writes: the chunk then throws unresolved. */
  readonly stopSignal: AbortSignal;
  /** How often a long chunk heartbeats; kafkajs sends at most one per its own heartbeat interval. */
  readonly heartbeatEveryMs?: number;
}

export type ChunkHandler = (chunk: RecordChunk, heartbeat: () => Promise<void>) => Promise<void>;

/**
 * Per chunk: decode and transform every record, bulk-insert the results, and dead-letter what can
 * never be stored. It returns only when every record is stored, already stored or dead-lettered,
 * which is when startBatchConsumer may resolve the chunk's offsets.
 */
export function createChunkHandler(options: HandlerOptions): ChunkHandler {
  const routes = new Map<string, Route>([
    [options.topics.documents, { collection: DOCUMENTS_COLLECTION, transform: toStoredDocument }],
    [options.topics.rejected, { collection: REJECTED_COLLECTION, transform: toStoredRejection, fallback: rejectionAsText }],
  ]);
  const heartbeatEveryMs = options.heartbeatEveryMs ?? 1000;

  return async (chunk, heartbeat) => {
    const route = routes.get(chunk.topic);
    if (!route) throw new Error(`no route for topic ${chunk.topic}`);
    options.metrics.batchSize.observe(chunk.records.length);

    const storedAt = new Date();
    const docs: Document[] = [];
    const sources: ConsumedRecord[] = [];
    const poison: PoisonRecord[] = [];
    for (const record of chunk.records) {
      try {
        docs.push(route.transform(record.value, storedAt));
        sources.push(record);
      } catch (error) {
        // The transform is pure: whatever it throws (PoisonMessageError or not) it would throw again.
        poison.push({ record, reason: shortReason((error as Error).message) });
      }
    }

    await withHeartbeat(heartbeat, heartbeatEveryMs, options.stopSignal, async (signal) => {
      const written = await options.store.insertAll(route.collection, docs, signal);
      let refused: readonly Poisoned[] = written.rejected;
      if (route.fallback && refused.length > 0) {
        refused = await retryInFallbackForm(route.collection, route.fallback, docs, refused, options.store, signal);
      }
      for (const { index, reason } of refused) poison.push({ record: sources[index] as ConsumedRecord, reason });
      poison.sort((a, b) => Number(a.record.offset) - Number(b.record.offset));
      await options.deadLetters.send(chunk, poison, signal);
    });
  };
}

/** Writes the refused documents again in their fallback form; returns those still refused. */
async function retryInFallbackForm(
  collection: string,
  fallback: (doc: Document) => Document | undefined,
  docs: readonly Document[],
  refused: readonly Poisoned[],
  store: Pick<Store, 'insertAll'>,
  signal: AbortSignal,
): Promise<Poisoned[]> {
  const retried: { index: number; doc: Document }[] = [];
  const still: Poisoned[] = [];
  for (const poisoned of refused) {
    const doc = fallback(docs[poisoned.index] as Document);
    if (doc) retried.push({ index: poisoned.index, doc });
    else still.push(poisoned);
  }
  const second = await store.insertAll(collection, retried.map((r) => r.doc), signal);
  for (const { index, reason } of second.rejected) still.push({ index: (retried[index] as { index: number }).index, reason });
  return still;
}

/**
 * Runs `work` while heartbeating, so a chunk that waits on a failing store keeps its group
 * membership. A heartbeat that fails (the group is rebalancing) aborts the work, so the partition can
 * move to its new owner; the chunk is then replayed there, unresolved.
 */
async function withHeartbeat<T>(
  heartbeat: () => Promise<void>,
  everyMs: number,
  stopSignal: AbortSignal,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const lost = new AbortController();
  const timer = setInterval(() => heartbeat().catch((error: unknown) => lost.abort(error)), everyMs);
  try {
    return await work(AbortSignal.any([stopSignal, lost.signal]));
  } finally {
    clearInterval(timer);
  }
}
