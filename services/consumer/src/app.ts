import { BatchingProducer, createKafkaClient, startBatchConsumer, type BatchConsumer } from '@docpipe/kafka';
import { MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import type { ConsumerConfig } from './config.js';
import { DeadLetters } from './deadletters.js';
import { createChunkHandler } from './handler.js';
import { startHealthServer } from './http.js';
import { createMetrics } from './metrics.js';
import { Store } from './store.js';

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

/** Connects MongoDB and Kafka, serves /metrics and the probes, and joins the consumer group. */
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

    const kafka = createKafkaClient({ ...config.kafka, logger });
    const producer = new BatchingProducer(kafka);
    await producer.connect();
    cleanup.push(() => producer.disconnect());

    const stopping = new AbortController();
    const store = new Store(db, metrics, config.retry, logger);
    const deadLetters = new DeadLetters({ producer, store, topic: config.deadLetterTopic, metrics, policy: config.retry, logger });
    const handle = createChunkHandler({ topics: config.kafka.topics, store, deadLetters, metrics, stopSignal: stopping.signal });

    let consumer: BatchConsumer | undefined;
    const health = await startHealthServer({
      port: config.metricsPort,
      registry: metrics.registry,
      notReady: async () => {
        if (stopping.signal.aborted || !consumer?.isRunning()) return 'consumer is not running';
        try {
          await db.command({ ping: 1 }, { signal: AbortSignal.timeout(2_000) });
          return undefined;
        } catch (error) {
          return `MongoDB is unreachable: ${(error as Error).message}`;
        }
      },
    });
    cleanup.push(() => new Promise((resolve) => health.server.close(resolve)));

    const topics = [config.kafka.topics.documents, config.kafka.topics.rejected];
    consumer = await startBatchConsumer(kafka, {
      groupId: config.groupId,
      topics,
      handle,
      chunkSize: config.chunkSize,
      partitionsConsumedConcurrently: config.partitionsConcurrently,
      maxBytesPerPartition: config.maxBytesPerPartition,
      sessionTimeoutMs: config.sessionTimeoutMs,
      onLag: (topic, partition, lag) => metrics.lag.set({ topic, partition: String(partition) }, lag),
    });
    const member = consumer;
    logger.info(
      { groupId: config.groupId, topics, database: config.mongodb.database, metricsPort: health.port, chunkSize: config.chunkSize },
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
            await member.stop();
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
