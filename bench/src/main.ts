// `make bench` (through bench/run.sh, which starts the bench stack): every measurement in one run,
// one at a time, then bench/results/{<time>.json, latest.json, latest.md, latest.svg}.
// The order keeps like with like: ceilings, the HTTP side (ingest, then its peer, with no consumer
// running), the drains of one pre-filled topic (consumer, then its peer), the seed replay.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defectsForInvalidShare, runLoad } from '@docpipe/load/client';
import { chartSpec, renderSvg } from './chart.js';
import { readContext, type BenchContext } from './context.js';
import { envelopes, meanBytes, type Envelope } from './documents.js';
import { bridgeMeasurement } from './bridge-load.js';
import { BENCH_USER, httpMeasurement } from './http-load.js';
import { profileIngest } from './ingest-profile.js';
import { machine, versions } from './machine.js';
import { renderMarkdown } from './markdown.js';
import { log, measure, unavailable } from './measure.js';
import { readOptions, type BenchOptions } from './options.js';
import { CONSUMER_GROUP, Pipeline, TOPICS } from './pipeline.js';
import { withProcess, type StartOptions } from './processes.js';
import { producerPerformance } from './producer-performance.js';
import { assemble, type Measurement, type Outcome, type RunResults } from './results.js';
import * as services from './services.js';
import { storeCeiling } from './store-ceiling.js';

const DRAIN_TIMEOUT_MS = 10 * 60_000;

async function ceilings(ctx: BenchContext, o: BenchOptions, pipeline: Pipeline, items: readonly Envelope[]): Promise<Measurement[]> {
  const payloadFile = join(ctx.workDir, 'payload.ndjson');
  const sample = items.slice(0, 10_000);
  writeFileSync(payloadFile, sample.map((e) => e.value).join('\n'));
  const warmupRecords = Math.round(o.kafkaRecords / 10);
  // Batching as ingest's producer does it (packages/kafka: up to 900 KiB per request, 2 ms linger):
  // with the Java producer's 16 KiB default the tool measured a quarter of this and less than
  // ingest's batch endpoint, so that would be no ceiling.
  const producerProps = { acks: 'all', 'batch.size': 900 * 1024, 'linger.ms': 2 };
  const kafka = await measure(ctx, 'ceiling.kafka',
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
        producerProps,
      });
    },
  );

  const store = await measure(ctx, 'ceiling.store',
    { documents: o.storeDocs, warmupDocuments: o.chunkSize, chunkSize: o.chunkSize, concurrentInserts: o.partitionsConcurrently, ordered: false },
    () =>
      storeCeiling(
        { db: pipeline.db, collection: 'ceiling_store', chunkSize: o.chunkSize, concurrency: o.partitionsConcurrently },
        items.slice(0, o.chunkSize),
        items.slice(0, o.storeDocs),
      ),
  );
  await pipeline.db.dropDatabase();

  const http = await measure(ctx, 'ceiling.http', httpParams(o, 1, o.singleDocs), () =>
    withProcess(services.emptyRoute(ctx), () => httpMeasurement(httpRun(ctx.emptyRoutePort, o, 1, o.singleDocs))),
  );
  return [kafka, store, http];
}

const httpParams = (o: BenchOptions, batchSize: number, documents: number, rate?: number) => ({
  documents,
  warmupDocuments: o.warmupDocs,
  concurrency: o.concurrency,
  batchSize,
  seed: o.seed,
  invalidShare: 0,
  ...(rate ? { rate } : {}),
});

const httpRun = (port: number, o: BenchOptions, batchSize: number, count: number, rate?: number) => ({
  url: `http://127.0.0.1:${port}`,
  count,
  warmup: o.warmupDocs,
  concurrency: o.concurrency,
  batchSize,
  seed: o.seed,
  ...(rate ? { rate } : {}),
});

/** ingest alone, the consumer stopped: documents pile up in Kafka, as they would behind a slow store. */
async function ingestRuns(ctx: BenchContext, o: BenchOptions): Promise<Measurement[]> {
  const runs: Measurement[] = [];
  const rateDocs = o.rate * o.rateSeconds;
  await withProcess(services.ingest(ctx, { authMode: 'jwt' }), async () => {
    runs.push(
      await measure(ctx, 'docpipe.single.auth', httpParams(o, 1, o.singleDocs), () => httpMeasurement(httpRun(ctx.ingestPort, o, 1, o.singleDocs))),
    );
    runs.push(
      await measure(ctx, 'docpipe.single.rate', { ...httpParams(o, 1, rateDocs, o.rate), seconds: o.rateSeconds }, () =>
        httpMeasurement(httpRun(ctx.ingestPort, o, 1, rateDocs, o.rate)),
      ),
    );
    runs.push(
      await measure(ctx, 'docpipe.batch', httpParams(o, o.batchSize, o.batchDocs), () =>
        httpMeasurement(httpRun(ctx.ingestPort, o, o.batchSize, o.batchDocs)),
      ),
    );
  });
  runs.push(
    await measure(ctx, 'docpipe.single.noauth', { ...httpParams(o, 1, o.singleDocs), authMode: 'none' }, () =>
      withProcess(services.ingest(ctx, { authMode: 'none' }), () => httpMeasurement(httpRun(ctx.ingestPort, o, 1, o.singleDocs))),
    ),
  );
  return runs;
}

async function bridgeRuns(ctx: BenchContext, o: BenchOptions): Promise<Measurement[]> {
  const single = { ...httpParams(o, 1, o.singleDocs), acks: 'all' };
  const batch = { ...httpParams(o, o.batchSize, o.batchDocs), acks: 'all' };
  if (ctx.bridge.unavailable) {
    return [unavailable('peer.bridge.single', single, ctx.bridge.unavailable), unavailable('peer.bridge.batch', batch, ctx.bridge.unavailable)];
  }
  const run = (batchSize: number, count: number) => ({ ...httpRun(ctx.bridgePort, o, batchSize, count), topic: TOPICS.documents });
  const runs: Measurement[] = [];
  const failure = await withProcess(services.bridge(ctx), async () => {
    runs.push(await measure(ctx, 'peer.bridge.single', single, () => bridgeMeasurement(run(1, o.singleDocs))));
    runs.push(await measure(ctx, 'peer.bridge.batch', batch, () => bridgeMeasurement(run(o.batchSize, o.batchDocs))));
    return undefined;
  }).catch((error: unknown) => (error instanceof Error ? error.message.split('\n')[0] : String(error)));
  if (failure !== undefined) {
    return [
      { id: 'peer.bridge.single', params: single, status: 'failed', reason: failure },
      { id: 'peer.bridge.batch', params: batch, status: 'failed', reason: failure },
    ];
  }
  return runs;
}

/**
 * Starts a process that stores the pre-filled topic and times it by the store's count: from the
 * first document seen to all `expected` seen, so a JVM's longer start-up is not counted as
 * draining. The time from the start of the process is kept in the notes.
 */
async function drain(pipeline: Pipeline, server: StartOptions, collection: string, expected: number): Promise<Outcome> {
  const abort = new AbortController();
  const started = performance.now();
  const watch = pipeline.waitForCount([collection], expected, DRAIN_TIMEOUT_MS, abort.signal);
  watch.catch(() => undefined);
  try {
    const { first, last } = await withProcess(server, () => watch);
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

async function drains(ctx: BenchContext, o: BenchOptions, pipeline: Pipeline, items: readonly Envelope[]): Promise<Measurement[]> {
  const filled = items.slice(0, o.drainDocs);
  const params = { documents: o.drainDocs, partitions: ctx.documentsPartitions, chunkSize: o.chunkSize, meanRecordBytes: Math.round(meanBytes(filled)) };
  await pipeline.reset([CONSUMER_GROUP, `connect-${services.SINK_NAME}`]);
  await pipeline.fill(filled);
  const consumer = await measure(ctx, 'docpipe.consumer', { ...params, partitionsConcurrently: o.partitionsConcurrently }, () =>
    drain(pipeline, services.consumer(ctx), 'documents', filled.length),
  );
  // The same records, into an empty store again.
  await pipeline.db.dropDatabase();
  const sinkParams = { ...params, tasks: o.partitionsConcurrently, writeModel: 'InsertOneDefaultStrategy', ordered: false };
  const sink = ctx.connector.unavailable
    ? unavailable('peer.sink', sinkParams, ctx.connector.unavailable)
    : await measure(ctx, 'peer.sink', sinkParams, () =>
        drain(pipeline, services.connect(ctx, { chunkSize: o.chunkSize, tasks: o.partitionsConcurrently }), services.SINK_COLLECTION, filled.length),
      );
  return [consumer, sink];
}

/**
 * The seed replay, as the original test: fresh services, no warm-up, the data set's share of
 * invalid documents, single requests. Timed by the servers' own clocks: the earliest ingestedAt to
 * the latest storedAt over the documents and the rejections.
 */
async function seedReplay(ctx: BenchContext, o: BenchOptions, pipeline: Pipeline): Promise<Measurement> {
  const params = { documents: o.seedDocs, invalidShare: o.seedInvalidShare, concurrency: o.concurrency, batchSize: 1, seed: o.seed, warmupDocuments: 0 };
  await pipeline.reset();
  return measure(ctx, 'docpipe.seed', params, () =>
    withProcess(services.consumer(ctx), () =>
      withProcess(services.ingest(ctx, { authMode: 'jwt' }), async (): Promise<Outcome> => {
        const summary = await runLoad({
          ...BENCH_USER,
          url: `http://127.0.0.1:${ctx.ingestPort}`,
          count: o.seedDocs,
          concurrency: o.concurrency,
          batchSize: 1,
          seed: o.seed,
          defects: defectsForInvalidShare(o.seedInvalidShare),
          wait: false,
        });
        const answered = summary.accepted + summary.rejected.total;
        const lastAnswer = Date.now();
        await pipeline.waitForCount(['documents', 'rejected'], answered, DRAIN_TIMEOUT_MS);
        const { firstIngestedAt, lastStoredAt } = await pipeline.span(['documents', 'rejected']);
        const seconds = (lastStoredAt - firstIngestedAt) / 1000;
        // Where the time went: answering the requests, then storing what was still in Kafka.
        const tail = Math.max(0, lastStoredAt - lastAnswer) / 1000;
        return {
          status: 'ok',
          throughput: answered / seconds,
          count: answered,
          seconds,
          latencyMs: { ...summary.latencyMs },
          notes: [
            `${summary.accepted} accepted, ${summary.rejected.total} rejected, ${summary.errors.total} failed`,
            `requests answered in ${(summary.elapsedMs / 1000).toFixed(2)} s, the last stored ${tail.toFixed(2)} s after the last answer`,
            ...summary.problems,
          ],
        };
      }),
    ),
  );
}

async function main(): Promise<void> {
  const ctx = readContext();
  const o = readOptions();
  mkdirSync(ctx.workDir, { recursive: true });
  mkdirSync(ctx.resultsDir, { recursive: true });
  const startedAt = new Date().toISOString();
  log(`run folder ${ctx.workDir}`);
  const items = envelopes(Math.max(o.drainDocs, o.storeDocs, 10_000), o.seed);
  const pipeline = await Pipeline.connect(ctx);
  const measurements: Measurement[] = [];
  let ingestProfile: RunResults['ingestProfile'];
  try {
    measurements.push(...(await ceilings(ctx, o, pipeline, items)));
    await pipeline.reset();
    measurements.push(...(await ingestRuns(ctx, o)));
    ingestProfile = await profileIngest(ctx, o);
    await pipeline.reset();
    measurements.push(...(await bridgeRuns(ctx, o)));
    measurements.push(...(await drains(ctx, o, pipeline, items)));
    measurements.push(await seedReplay(ctx, o, pipeline));
  } finally {
    await pipeline.close();
  }

  const results = assemble({
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machine(),
    versions: await versions(ctx),
    parameters: { ...o, documentsPartitions: ctx.documentsPartitions, stackProfile: process.env['DOCPIPE_PROFILE'] ?? 'bench' },
    measurements,
    ...(ingestProfile ? { ingestProfile } : {}),
  });
  const stamp = startedAt.replaceAll(/[:.]/g, '-');
  const json = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(join(ctx.resultsDir, `${stamp}.json`), json);
  writeFileSync(join(ctx.resultsDir, 'latest.json'), json);
  writeFileSync(join(ctx.resultsDir, 'latest.md'), renderMarkdown(results));
  writeFileSync(join(ctx.resultsDir, 'latest.svg'), await renderSvg(chartSpec(results)));
  log(`results: bench/results/${stamp}.json, latest.json, latest.md, latest.svg`);
}

await main();
