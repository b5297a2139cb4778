// The ceilings: what Kafka, the store and an HTTP server on this machine allow at best, measured
// with the same documents as Docpipe.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../context.js';
import { meanBytes, type Envelope } from '../documents.js';
import { httpMeasurement, httpParams, httpRun } from '../http-load.js';
import { measure, onServer, planned } from '../measure.js';
import type { BenchOptions } from '../options.js';
import type { Pipeline } from '../pipeline.js';
import { javaKafkaSecurity, writePrivateProperties } from '../kafka-security.js';
import { producerPerformance } from '../producer-performance.js';
import type { Measurement } from '../results.js';
import * as services from '../services.js';
import { storeCeiling } from '../store-ceiling.js';

export async function ceilings(ctx: BenchContext, o: BenchOptions, pipeline: Pipeline, items: readonly Envelope[]): Promise<Measurement[]> {
  const payloadFile = join(ctx.workDir, 'payload.ndjson');
  const sample = items.slice(0, 10_000);
  writeFileSync(payloadFile, sample.map((e) => e.value).join('\n'));
  const warmupRecords = Math.round(o.kafkaRecords / 10);
  // Batching as ingest's producer does it (packages/kafka: up to 900 KiB per request, 2 ms linger):
  // with the Java producer's 16 KiB default the tool measured a quarter of this and less than
  // ingest's batch endpoint, so that would be no ceiling.
  const producerProps = { acks: 'all', 'batch.size': 900 * 1024, 'linger.ms': 2 };
  const kafka = await measure(
    ctx,
    'ceiling.kafka',
    {
      records: o.kafkaRecords,
      warmupRecords,
      ...producerProps,
      partitions: ctx.documentsPartitions,
      meanRecordBytes: Math.round(meanBytes(sample)),
      distinctPayloads: sample.length,
    },
    async () => {
      await pipeline.createTopic('bench.ceiling', ctx.documentsPartitions);
      return producerPerformance({
        kafkaHome: ctx.kafkaHome,
        log4jConfig: join(ctx.root, 'config/kafka/tools-log4j2.xml'),
        brokers: ctx.kafkaBrokers,
        topic: 'bench.ceiling',
        records: o.kafkaRecords,
        warmupRecords,
        payloadFile,
        producerConfigFile: writePrivateProperties(join(ctx.workDir, 'producer-performance.properties'), javaKafkaSecurity(ctx.serviceEnv)),
        producerProps,
      });
    },
  );

  const store = await measure(
    ctx,
    'ceiling.store',
    { documents: o.storeDocs, warmupDocuments: o.chunkSize, chunkSize: o.chunkSize, concurrentInserts: o.partitionsConcurrently, ordered: false },
    () =>
      storeCeiling(
        { db: pipeline.db, collection: 'ceiling_store', chunkSize: o.chunkSize, concurrency: o.partitionsConcurrently },
        items.slice(0, o.chunkSize),
        items.slice(0, o.storeDocs),
      ),
  );
  await pipeline.db.dropDatabase();

  const http = await onServer(ctx, [services.emptyRoute(ctx)], [
    planned('ceiling.http', httpParams(o, 1, o.singleDocs), () => httpMeasurement(httpRun(ctx.emptyRoutePort, o, 1, o.singleDocs))),
  ]);
  return [kafka, store, ...http];
}
