import { consumerAccess, servedPipelinesMetric } from '@docpipe/contract';
import { createBatchingProducer, createKafkaClient, ensureTopics, grantAccess, startBatchConsumer } from '@docpipe/kafka';
import { consumedTopics, PipelineRegistry, pipelineTopicsOf, topicRequests, watchPipelineDirectory, type CompiledPipeline } from '@docpipe/pipeline';
import { servedPipelinesGauge } from '@docpipe/runtime';
import { MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import type { ConsumerConfig } from './config.js';
import { DeadLetters } from './deadletters.js';
import { createChunkHandler } from './handler.js';
import { startHealthServer } from './http.js';
import { ensureIndexes } from './indexes.js';
import { createMetrics } from './metrics.js';
import { Store } from './store.js';
import { Subscription } from './subscription.js';

export interface ConsumerService {
  /** The port actually bound (config 0 picks a free one, for tests). */
  readonly metricsPort: number;
  /**
   * Graceful stop: the chunks in hand finish and their offsets are committed, then the member
   * leaves the group. A write still failing after stopTimeoutMs is abandoned unresolved, to be
   * replayed by whoever owns the partition next.
   */
  stop(): Promise<void>;
}

/**
 * Connects MongoDB and Kafka, loads and watches the pipelines, serves /metrics and the probes, and
 * joins the consumer group on the topics of every pipeline.
 */
export async function startConsumerService(config: ConsumerConfig, logger: Logger): Promise<ConsumerService> {
  const cleanup: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const close of cleanup.reverse()) await close().catch((error: unknown) => logger.warn({ err: error }, 'close failed'));
  };
  try {
    const metrics = createMetrics();
    // Bounded so that a store that is down surfaces as failed writes (retried, counted, logged)
    // within seconds rather than as one silent half-minute wait per attempt.
    const mongo = new MongoClient(config.mongodb.uri, { appName: 'docpipe-consumer', serverSelectionTimeoutMS: 5_000 });
    await mongo.connect();
    cleanup.push(() => mongo.close());
    const db = mongo.db(config.mongodb.database);

    const connection = { ...config.kafka, logger };
    const registry = new PipelineRegistry();
    servedPipelinesGauge(metrics.registry, servedPipelinesMetric('consumer'), () => registry.list());
    const directory = await watchPipelineDirectory(config.pipelinesDir, registry, { log: logger });
    cleanup.push(async () => directory.close());

    // What the local stack does in the operator's place (KAFKA_CREATE_TOPICS): a new pipeline's
    // topics, and this consumer's rights on them, exist before it reads them or writes their dead
    // letters.
    const { admin, sasl } = config.kafka;
    const provisioner = createKafkaClient(admin ? { ...connection, sasl: admin } : connection);
    const createTopics = async (pipelines: readonly CompiledPipeline[]) => {
      if (!config.kafka.createTopics || pipelines.length === 0) return;
      const created = await ensureTopics(provisioner, pipelines.flatMap(topicRequests));
      if (created.length > 0) logger.info({ topics: created }, 'topics created');
      if (!admin || !sasl) return;
      for (const pipeline of pipelines) await grantAccess(provisioner, sasl.username, consumerAccess(pipelineTopicsOf(pipeline), config.groupId));
    };
    // First: the idempotent producer's id is granted only to a user that may write some topic.
    const provisioned = registry.list();
    await createTopics(provisioned);
    const producer = createBatchingProducer(connection);
    await producer.connect();
    cleanup.push(() => producer.disconnect());

    const stopping = new AbortController();
    const store = new Store(db, metrics, config.retry, logger);
    const deadLetters = new DeadLetters({ producer, store, metrics, policy: config.retry, logger });
    const handle = createChunkHandler({ registry, store, deadLetters, metrics, stopSignal: stopping.signal });
    const subscription = new Subscription({
      start: (topics) => {
        // A topic no longer read would otherwise keep its last lag on the dashboards.
        metrics.lag.reset();
        return startBatchConsumer(connection, {
          groupId: config.groupId,
          topics,
          handle,
          chunkSize: config.chunkSize,
          partitionsConsumedConcurrently: config.partitionsConcurrently,
          maxBytesPerPartition: config.maxBytesPerPartition,
          sessionTimeoutMs: config.sessionTimeoutMs,
          onLag: (topic, partition, lag) => metrics.lag.set({ topic, partition: String(partition) }, lag),
        });
      },
      policy: config.retry,
      logger,
    });
    // stop() stops it first; this is for a start that fails half-way.
    cleanup.push(() => subscription.stop());

    const indexing = new AbortController();
    const builds = new Set<Promise<void>>();
    const buildIndexes = (pipelines: readonly CompiledPipeline[]) => {
      const build = ensureIndexes(db, pipelines, { policy: config.retry, signal: indexing.signal, logger });
      builds.add(build);
      void build.then(() => builds.delete(build));
    };
    cleanup.push(async () => {
      indexing.abort();
      await Promise.all(builds);
    });

    const health = await startHealthServer({
      port: config.metricsPort,
      registry: metrics.registry,
      notReady: async () => {
        if (registry.list().length === 0) return `no pipeline is loaded from ${config.pipelinesDir}`;
        if (stopping.signal.aborted || !subscription.isRunning()) return 'consumer is not running';
        try {
          await db.command({ ping: 1 }, { signal: AbortSignal.timeout(2_000) });
          return undefined;
        } catch (error) {
          return `MongoDB is unreachable: ${(error as Error).message}`;
        }
      },
    });
    cleanup.push(() => new Promise((resolve) => health.server.close(resolve)));

    // Queued before the registry is followed, so a change during the start applies after it.
    const initial = registry.list();
    const started = subscription.start(consumedTopics(initial), () => createTopics(initial.filter((p) => !provisioned.includes(p))));
    buildIndexes(initial);
    // A change of schema or transform alone leaves the topics as they are: the member stays, and
    // the next chunk takes the new generation from the registry.
    const unfollow = registry.onChange(({ added, changed }) => {
      const fresh = [...added, ...changed];
      buildIndexes(fresh);
      void subscription.update(consumedTopics(registry.list()), () => createTopics(fresh));
    });
    cleanup.push(async () => unfollow());
    await started;
    logger.info(
      {
        groupId: config.groupId,
        kafkaLibrary: config.kafka.library,
        pipelines: initial.map((p) => `${p.name}@${p.revision}`),
        topics: subscription.topics,
        database: config.mongodb.database,
        metricsPort: health.port,
        chunkSize: config.chunkSize,
      },
      'consumer started',
    );

    let stopped: Promise<void> | undefined;
    return {
      metricsPort: health.port,
      stop: () =>
        (stopped ??= (async () => {
          const giveUp = setTimeout(
            () => stopping.abort(new Error(`stop: writes still failing after ${config.stopTimeoutMs} ms; leaving the chunk unresolved for replay`)),
            config.stopTimeoutMs,
          );
          try {
            await subscription.stop();
          } finally {
            clearTimeout(giveUp);
            stopping.abort(new Error('stopped'));
            await closeAll();
          }
        })()),
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
