// Both Kafka client libraries in one run, on the same stack and documents: two ingests side by
// side, one on each library, in alternating rounds (the batch endpoint, then single documents at
// the fixed rate), then the consumer on each draining the same pre-filled topic, again alternating.
import { CONSUMER_GROUP, INVOICES, KAFKA_LIBRARIES, type KafkaLibrary } from '@docpipe/contract';
import type { BenchContext } from '../context.js';
import { meanBytes, type Envelope } from '../documents.js';
import { alternatingMeasurements, httpParams, httpRun } from '../http-load.js';
import { measureTogether, onServer } from '../measure.js';
import type { BenchOptions } from '../options.js';
import type { Pipeline } from '../pipeline.js';
import type { Measurement, MeasurementId, Outcome } from '../results.js';
import * as services from '../services.js';
import { countCheck, drain } from './drains.js';

/** Rounds per library and measurement; the order alternates, so neither library always goes first. */
const ROUNDS = 2;

const ids = (kind: 'batch' | 'rate' | 'consumer') => KAFKA_LIBRARIES.map((library) => `client.${library}.${kind}` as MeasurementId);

export async function kafkaClients(ctx: BenchContext, o: BenchOptions, pipeline: Pipeline, items: readonly Envelope[]): Promise<Measurement[]> {
  await pipeline.reset();
  // The no-auth ingest's port is free here: the two ingests of this phase both use JWT.
  const ports: Record<KafkaLibrary, number> = { kafkajs: ctx.ingestPort, platformatic: ctx.noAuthIngestPort };
  const servers = KAFKA_LIBRARIES.map((kafkaLibrary) => services.ingest(ctx, { authMode: 'jwt', kafkaLibrary, port: ports[kafkaLibrary] }));
  const rateDocs = o.rate * o.rateSeconds;
  const together = (kind: 'batch' | 'rate', params: Record<string, number>, batchSize: number, count: number, rate?: number) => ({
    measured: ids(kind).map((id, i) => ({ id, params: { ...params, kafkaLibrary: KAFKA_LIBRARIES[i] as KafkaLibrary, rounds: ROUNDS } })),
    run: () => alternatingMeasurements(KAFKA_LIBRARIES.map((library) => httpRun(ports[library], o, batchSize, count, rate)), ROUNDS),
  });
  const http = await onServer(ctx, servers, [
    together('batch', httpParams(o, o.batchSize, o.batchDocs), o.batchSize, o.batchDocs),
    together('rate', { ...httpParams(o, 1, rateDocs, o.rate), seconds: o.rateSeconds }, 1, rateDocs, o.rate),
  ]);

  const filled = items.slice(0, o.drainDocs);
  const params = { documents: o.drainDocs, partitions: ctx.documentsPartitions, chunkSize: o.chunkSize, partitionsConcurrently: o.partitionsConcurrently, meanRecordBytes: Math.round(meanBytes(filled)), rounds: ROUNDS };
  const drainOn = async (library: KafkaLibrary): Promise<Outcome> => {
    await pipeline.reset();
    await pipeline.fill(filled);
    return drain(pipeline, services.consumer(ctx, o, library), CONSUMER_GROUP, filled.length, countCheck(pipeline, INVOICES.collections.documents, filled.length));
  };
  const drains = await measureTogether(
    ctx,
    ids('consumer').map((id, i) => ({ id, params: { ...params, kafkaLibrary: KAFKA_LIBRARIES[i] as KafkaLibrary } })),
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
