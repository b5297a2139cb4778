import { DEADLETTERS_COLLECTION } from '@docpipe/contract';
import type { BatchingProducer, ConsumedRecord } from '@docpipe/kafka';
import type { Logger } from 'pino';
import type { RetryPolicy } from './config.js';
import type { ConsumerMetrics } from './metrics.js';
import { retryUntilDone } from './retry.js';
import type { Store } from './store.js';

export interface PoisonRecord {
  readonly record: ConsumedRecord;
  readonly reason: string;
}

export interface DeadLetterSource {
  readonly topic: string;
  readonly partition: number;
}

/**
 * Sends poison records to their pipeline's dead-letter topic (original key and value bytes, the
 * reason and the origin in headers) and keeps a queryable copy in the `deadletters` collection,
 * which every pipeline shares. The topic is the record of truth: its ack is awaited before the copy
 * is written, and both are retried like any write, so a poison record is never dropped on the way.
 * A replay after a crash may repeat it in the topic; the collection keeps one copy (its `_id` is the
 * origin).
 */
export class DeadLetters {
  readonly #producer: Pick<BatchingProducer, 'send'>;
  readonly #store: Store;
  readonly #metrics: ConsumerMetrics;
  readonly #policy: RetryPolicy;
  readonly #logger: Logger;

  constructor(options: {
    producer: Pick<BatchingProducer, 'send'>;
    store: Store;
    metrics: ConsumerMetrics;
    policy: RetryPolicy;
    logger: Logger;
  }) {
    this.#producer = options.producer;
    this.#store = options.store;
    this.#metrics = options.metrics;
    this.#policy = options.policy;
    this.#logger = options.logger;
  }

  async send(topic: string, source: DeadLetterSource, poison: readonly PoisonRecord[], signal: AbortSignal): Promise<void> {
    if (poison.length === 0) return;
    const records = poison.map(({ record, reason }) => ({
      key: record.key,
      value: record.value,
      headers: { 'dlq-reason': reason, 'dlq-topic': source.topic, 'dlq-partition': String(source.partition), 'dlq-offset': record.offset },
    }));
    await retryUntilDone(() => this.#producer.send(topic, records), {
      policy: this.#policy,
      signal,
      onRetry: (error, attempt, delayMs) => {
        this.#metrics.writeRetries.inc();
        this.#logger.warn({ topic, attempt, delayMs, reason: (error as Error).message }, 'dead-letter produce failed, retrying');
      },
    });

    const storedAt = new Date();
    const copies = poison.map(({ record, reason }) => ({
      _id: `${source.topic}:${source.partition}:${record.offset}`,
      reason,
      topic: source.topic,
      partition: source.partition,
      offset: Number(record.offset),
      key: record.key,
      value: record.value?.toString('utf8') ?? null,
      storedAt,
    }));
    const written = await this.#store.insertAll(DEADLETTERS_COLLECTION, copies, signal);
    for (const { index, reason } of written.rejected) {
      this.#logger.error({ id: copies[index]?._id, reason }, 'dead letter refused by the store: it is kept in the dead-letter topic only');
    }

    this.#metrics.deadletters.inc(poison.length);
    for (const { record, reason } of poison) {
      this.#logger.warn({ topic: source.topic, partition: source.partition, offset: record.offset, reason }, 'record dead-lettered');
    }
  }
}
