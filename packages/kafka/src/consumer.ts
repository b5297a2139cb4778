import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';

export interface ConsumedRecord {
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly offset: string;
  /** The record's timestamp (producer create time, or the broker's log-append time), in ms since the epoch. */
  readonly timestamp: string;
}

export interface RecordChunk {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly ConsumedRecord[];
}

export interface BatchConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * Handles one chunk. Its offsets are resolved only after it returns, so a crash replays it.
   * It must be idempotent. Throwing stops the batch; the rest is fetched again later. A handler
   * that can take long (retrying a store that is down) calls `heartbeat` meanwhile to keep the
   * group membership; it rejects when the group is rebalancing, and the handler should then throw.
   */
  readonly handle: (chunk: RecordChunk, heartbeat: () => Promise<void>) => Promise<void>;
  /** Records per handle() call; a fetched batch is split into chunks of this size. @default 1000 */
  readonly chunkSize?: number;
  /** Partitions processed at the same time by one member. @default 3 */
  readonly partitionsConsumedConcurrently?: number;
  /** Called after each chunk with the records left behind on that partition. */
  readonly onLag?: (topic: string, partition: number, lag: number) => void;
  /** Bytes fetched per partition per request; bounds the batch a graceful stop must finish. @default 1 MiB */
  readonly maxBytesPerPartition?: number;
  /** @default 30000 */
  readonly sessionTimeoutMs?: number;
}

/** A running member of a consumer group. */
export interface BatchConsumer {
  /** Finishes the batch in hand, commits what was written, and leaves the group. */
  stop(): Promise<void>;
  /** False once the member stopped, and while one that kafkajs gave up on is being replaced (for /readyz). */
  isRunning(): boolean;
}

/**
 * Joins a consumer group and feeds batches to `handle` in chunks. kafkajs' default
 * eachBatchAutoResolve would mark the whole batch done when the callback returns, even after an
 * early exit; here each offset is resolved only after its chunk was handled, with a heartbeat
 * between chunks so long batches do not cost the group membership.
 */
export async function startBatchConsumer(kafka: Kafka, options: BatchConsumerOptions): Promise<BatchConsumer> {
  const chunkSize = options.chunkSize ?? 1000;
  if (chunkSize < 1) throw new Error('chunkSize must be at least 1');
  const eachBatch = async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isStale }: EachBatchPayload) => {
    const { topic, partition, messages } = batch;
    for (let start = 0; start < messages.length; start += chunkSize) {
      // After a rebalance the partition may belong to another member: stop without resolving more.
      if (isStale()) return;
      const slice = messages.slice(start, start + chunkSize);
      await options.handle(
        {
          topic,
          partition,
          records: slice.map((m) => ({ key: m.key?.toString() ?? null, value: m.value, offset: m.offset, timestamp: m.timestamp })),
        },
        heartbeat,
      );
      const last = slice[slice.length - 1] as (typeof slice)[number];
      resolveOffset(last.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
      options.onLag?.(topic, partition, Math.max(0, Number(batch.highWatermark) - Number(last.offset) - 1));
    }
  };

  let stopped = false;
  let running = true;
  let current: Consumer;
  let revival: NodeJS.Timeout | undefined;

  const join = async (): Promise<Consumer> => {
    const consumer: Consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1024 * 1024,
      allowAutoTopicCreation: false,
    });
    await consumer.connect();
    try {
      // A new group reads every record already in the topic, not only what arrives after it joined.
      await consumer.subscribe({ topics: [...options.topics], fromBeginning: true });
      // Not kafkajs' STOP event: a crash it recovers from also stops (and then restarts) the member.
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (payload.restart || stopped) return;
        running = false;
        revive(REVIVE_FIRST_MS);
      });
      await consumer.run({
        eachBatchAutoResolve: false,
        autoCommit: true,
        // Resolved offsets are committed at most once a second mid-batch, and always when a batch ends.
        autoCommitInterval: 1000,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3,
        eachBatch,
      });
    } catch (error) {
      // A caller that retries (a topic not created yet) would otherwise leave a connection behind each time.
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    return consumer;
  };

  /**
   * kafkajs gives up on a member after an error it deems final (no group coordinator found while
   * the broker was away for long), and the member then stays out of the group for good. A new
   * member joins in its place, with growing pauses while that fails.
   */
  const revive = (delayMs: number) => {
    revival = setTimeout(() => {
      join().then(
        (consumer) => {
          current = consumer;
          running = !stopped;
          if (stopped) void consumer.disconnect();
        },
        () => {
          if (!stopped) revive(Math.min(delayMs * 2, REVIVE_MAX_MS));
        },
      );
    }, delayMs);
  };

  current = await join();
  return {
    // kafkajs' disconnect waits for the running eachBatch to return before it commits and leaves.
    stop: () => {
      stopped = true;
      running = false;
      clearTimeout(revival);
      return current.disconnect();
    },
    isRunning: () => running,
  };
}

/** The first pause before a member that kafkajs gave up on is replaced, and the longest. */
const REVIVE_FIRST_MS = 1000;
const REVIVE_MAX_MS = 30_000;
