// The consumer and its peer, the MongoDB sink connector, each draining the same pre-filled topic.
import { CONSUMER_GROUP, INVOICES } from '@docpipe/contract';
import type { BenchContext } from '../context.js';
import { meanBytes, type Envelope } from '../documents.js';
import { measure, unavailable } from '../measure.js';
import type { BenchOptions } from '../options.js';
import { TOPICS, type Pipeline } from '../pipeline.js';
import { withProcess, type StartOptions } from '../processes.js';
import type { Measurement, Outcome } from '../results.js';
import * as services from '../services.js';

export const DRAIN_TIMEOUT_MS = 10 * 60_000;

/** How a drain tells when the first document was stored, and that what was committed was stored. */
export interface DrainCheck {
  /** Resolves with performance.now() once the first document is in the store. */
  firstStored(signal: AbortSignal): Promise<number>;
  /** Throws unless the store holds every document the group committed. */
  verify(): Promise<void>;
}

/** First stored and final count by the collection's size: cheap while the collection starts empty. */
export function countCheck(pipeline: Pipeline, collection: string, expected: number): DrainCheck {
  return {
    firstStored: async (signal) => (await pipeline.waitForCount([collection], 1, DRAIN_TIMEOUT_MS, signal)).first,
    verify: async () => {
      const stored = await pipeline.count([collection]);
      if (stored !== expected) throw new Error(`the whole topic was committed, but ${collection} holds ${stored} of ${expected} documents`);
    },
  };
}

/**
 * Starts a process that stores the pre-filled topic and times it from the first document in the
 * store to the moment its consumer group has committed the whole topic (polled in Kafka, so the
 * store is left to the writes). A JVM's longer start-up is not counted as draining; the time from
 * the process start is in the notes. An untimed check at the end makes sure that what was
 * committed was stored.
 */
export async function drain(pipeline: Pipeline, server: StartOptions, group: string, expected: number, check: DrainCheck): Promise<Outcome> {
  const abort = new AbortController();
  const started = performance.now();
  const watch = (async () => {
    const first = await check.firstStored(abort.signal);
    const last = await pipeline.waitForCommitted(group, TOPICS.documents, DRAIN_TIMEOUT_MS, abort.signal);
    return { first, last };
  })();
  watch.catch(() => undefined);
  try {
    const { first, last } = await withProcess(server, () => watch);
    await check.verify();
    const seconds = (last - first) / 1000;
    const fromStart = (last - started) / 1000;
    return {
      status: 'ok',
      throughput: expected / seconds,
      count: expected,
      seconds,
      notes: [`${fromStart.toFixed(1)} s from process start (${Math.round(expected / fromStart)} docs/s)`],
    };
  } finally {
    abort.abort();
  }
}

export async function drains(ctx: BenchContext, o: BenchOptions, pipeline: Pipeline, items: readonly Envelope[]): Promise<Measurement[]> {
  const filled = items.slice(0, o.drainDocs);
  const params = { documents: o.drainDocs, partitions: ctx.documentsPartitions, chunkSize: o.chunkSize, meanRecordBytes: Math.round(meanBytes(filled)) };
  await pipeline.reset([CONSUMER_GROUP, services.SINK_GROUP]);
  await pipeline.fill(filled);
  const consumer = await measure(ctx, 'docpipe.consumer', { ...params, partitionsConcurrently: o.partitionsConcurrently }, () =>
    drain(pipeline, services.consumer(ctx, o), CONSUMER_GROUP, filled.length, countCheck(pipeline, INVOICES.collections.documents, filled.length)),
  );
  // The same records, into an empty store again.
  await pipeline.db.dropDatabase();
  const sinkParams = { ...params, tasks: o.partitionsConcurrently, writeModel: 'InsertOneDefaultStrategy', ordered: false };
  const sink = ctx.connector.unavailable
    ? unavailable('peer.sink', sinkParams, ctx.connector.unavailable)
    : await measure(ctx, 'peer.sink', sinkParams, () =>
        drain(
          pipeline,
          services.connect(ctx, { chunkSize: o.chunkSize, tasks: o.partitionsConcurrently }),
          services.SINK_GROUP,
          filled.length,
          countCheck(pipeline, services.SINK_COLLECTION, filled.length),
        ),
      );
  return [consumer, sink];
}

