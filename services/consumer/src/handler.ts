import type { ConsumedRecord, RecordChunk } from '@docpipe/kafka';
import type { PipelineRegistry } from '@docpipe/pipeline';
import type { Document } from 'mongodb';
import type { Poisoned } from './classify.js';
import type { DeadLetters } from './deadletters.js';
import type { ConsumerMetrics } from './metrics.js';
import { routeChunk, type Write } from './routes.js';
import type { Store } from './store.js';

export interface HandlerOptions {
  /** The pipelines served: a chunk goes to the pipeline that owns its topic. */
  readonly registry: Pick<PipelineRegistry, 'byTopic' | 'generation'>;
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
 * Per chunk: decode every record for the pipeline that owns the chunk's topic, bulk-insert the
 * results into that pipeline's collections, and dead-letter what can never be stored. It returns
 * only when every record is stored, already stored or dead-lettered, which is when
 * startBatchConsumer may resolve the chunk's offsets.
 */
export function createChunkHandler(options: HandlerOptions): ChunkHandler {
  const heartbeatEveryMs = options.heartbeatEveryMs ?? 1000;

  return async (chunk, heartbeat) => {
    const { writes, poison, deadLetterTopic } = routeChunk(options.registry, chunk, new Date());
    options.metrics.batchSize.observe(chunk.records.length);

    await withHeartbeat(heartbeat, heartbeatEveryMs, options.stopSignal, async (signal) => {
      for (const write of writes) {
        for (const { index, reason } of await storeWrite(write, options.store, signal)) {
          poison.push({ record: write.sources[index] as ConsumedRecord, reason });
        }
      }
      poison.sort((a, b) => Number(a.record.offset) - Number(b.record.offset));
      await options.deadLetters.send(deadLetterTopic, chunk, poison, signal);
    });
  };
}

/**
 * Inserts one collection's documents, and those the store refuses once more in the collection's
 * fallback form; returns the ones still refused.
 */
async function storeWrite(write: Write, store: Pick<Store, 'insertAll'>, signal: AbortSignal): Promise<readonly Poisoned[]> {
  const { rejected } = await store.insertAll(write.collection, write.docs, signal);
  const { fallback } = write;
  if (!fallback || rejected.length === 0) return rejected;
  const retried: { index: number; doc: Document }[] = [];
  const still: Poisoned[] = [];
  for (const poisoned of rejected) {
    const doc = fallback(write.docs[poisoned.index] as Document);
    if (doc) retried.push({ index: poisoned.index, doc });
    else still.push(poisoned);
  }
  const second = await store.insertAll(write.collection, retried.map((r) => r.doc), signal);
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
