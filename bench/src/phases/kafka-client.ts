// Both Kafka client libraries in one run, on the same stack and documents: ingest on each library
// (the batch endpoint, then single documents at the fixed rate), then the consumer on each
// draining the same pre-filled topic, in alternating rounds.
import { CONSUMER_GROUP, INVOICES, KAFKA_LIBRARIES, type KafkaLibrary } from '@docpipe/contract';
import type { BenchContext } from '../context.js';
import { meanBytes, type Envelope } from '../documents.js';
import { httpMeasurement, httpParams, httpRun } from '../http-load.js';
import { measureTogether, onServer, planned } from '../measure.js';
import type { BenchOptions } from '../options.js';
import type { Pipeline } from '../pipeline.js';
import type { Measurement, Outcome } from '../results.js';
import * as services from '../services.js';
import { countCheck, drain } from './drains.js';

/** Drains per library; their order alternates, so neither library always goes first. */
const ROUNDS = 2;

/**
 * Each ingest of this phase is new, and a warm-up of a few batch requests would leave the
 * measured run to warm it: a tenth of the batch documents goes first, unmeasured.
 */
const BATCH_WARMUP_SHARE = 0.1;


export async function kafkaClients(ctx: BenchContext, o: BenchOptions, pipeline: Pipeline, items: readonly Envelope[]): Promise<Measurement[]> {
  await pipeline.reset();
  const rateDocs = o.rate * o.rateSeconds;
  const batchWarmup = Math.max(o.warmupDocs, Math.round(o.batchDocs * BATCH_WARMUP_SHARE));
  const http: Measurement[] = [];
  // One ingest at a time, as a deployment runs it: side by side, the second of two servers' rounds
  // kept measuring slower whichever library it was, and the two libraries' order flipped the result.
  for (const kafkaLibrary of KAFKA_LIBRARIES) {
    const port = ctx.ingestPort;
    http.push(
      ...(await onServer(ctx, [services.ingest(ctx, { authMode: 'jwt', kafkaLibrary })], [
        planned(`client.${kafkaLibrary}.batch`, { ...httpParams(o, o.batchSize, o.batchDocs), warmupDocuments: batchWarmup, kafkaLibrary }, () =>
          httpMeasurement({ ...httpRun(port, o, o.batchSize, o.batchDocs), warmup: batchWarmup }),
        ),
        planned(`client.${kafkaLibrary}.rate`, { ...httpParams(o, 1, rateDocs, o.rate), seconds: o.rateSeconds, kafkaLibrary }, () =>
          httpMeasurement(httpRun(port, o, 1, rateDocs, o.rate)),
        ),
      ])),
    );
  }

  const filled = items.slice(0, o.drainDocs);
  const params = { documents: o.drainDocs, partitions: ctx.documentsPartitions, chunkSize: o.chunkSize, partitionsConcurrently: o.partitionsConcurrently, meanRecordBytes: Math.round(meanBytes(filled)), rounds: ROUNDS };
  const drainOn = async (library: KafkaLibrary): Promise<Outcome> => {
    await pipeline.reset();
    await pipeline.fill(filled);
    return drain(pipeline, services.consumer(ctx, o, library), CONSUMER_GROUP, filled.length, countCheck(pipeline, INVOICES.collections.documents, filled.length));
  };
  const drains = await measureTogether(
    ctx,
    KAFKA_LIBRARIES.map((kafkaLibrary) => ({ id: `client.${kafkaLibrary}.consumer` as const, params: { ...params, kafkaLibrary } })),
    async () => {
      const rounds = KAFKA_LIBRARIES.map(() => [] as Outcome[]);
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? KAFKA_LIBRARIES.keys() : [...KAFKA_LIBRARIES.keys()].reverse();
        for (const i of order) rounds[i]?.push(await drainOn(KAFKA_LIBRARIES[i] as KafkaLibrary));
      }
      return rounds.map(combined);
    },
  );
  return [...http, ...drains];
}

/** Rounds of one drain as one outcome: every document over every second, each round's rate in the notes. */
function combined(outcomes: readonly Outcome[]): Outcome {
  const ok = outcomes.flatMap((o) => (o.status === 'ok' ? [o] : []));
  const failed = outcomes.find((o) => o.status !== 'ok');
  if (failed) return failed;
  const count = ok.reduce((n, o) => n + o.count, 0);
  const seconds = ok.reduce((n, o) => n + o.seconds, 0);
  return {
    status: 'ok',
    throughput: count / seconds,
    count,
    seconds,
    notes: [`${ok.length} rounds alternating with the other library, docs/s: ${ok.map((o) => Math.round(o.throughput).toLocaleString('en-US')).join(', ')}`],
  };
}
