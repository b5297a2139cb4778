import type { Consumer, EachBatchPayload } from 'kafkajs';
import { createKafkaClient, type KafkaClientOptions } from './client.js';
import { DEFAULTS, type BatchConsumerOptions, type Member } from './consumer.js';

/**
 * A kafkajs member that feeds batches to `handle` in chunks. kafkajs' default
 * eachBatchAutoResolve would mark the whole batch done when the callback returns, even after an
 * early exit; here each offset is resolved only after its chunk was handled, with a heartbeat
 * between chunks so long batches do not cost the group membership.
 */
export async function joinWithKafkajs(connection: KafkaClientOptions, options: BatchConsumerOptions, onGiveUp: () => void): Promise<Member> {
  const chunkSize = options.chunkSize ?? DEFAULTS.chunkSize;
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
  const consumer: Consumer = createKafkaClient(connection).consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs ?? DEFAULTS.sessionTimeoutMs,
    maxBytesPerPartition: options.maxBytesPerPartition ?? DEFAULTS.maxBytesPerPartition,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  try {
    // A new group reads every record already in the topic, not only what arrives after it joined.
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: true });
    // Not kafkajs' STOP event: a crash it recovers from also stops (and then restarts) the member.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart && !stopped) onGiveUp();
    });
    await consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: true,
      // Resolved offsets are committed at most once a second mid-batch, and always when a batch ends.
      autoCommitInterval: 1000,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? DEFAULTS.partitionsConsumedConcurrently,
      eachBatch,
    });
  } catch (error) {
    // A caller that retries (a topic not created yet) would otherwise leave a connection behind each time.
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }
  return {
    // kafkajs' disconnect waits for the running eachBatch to return before it commits and leaves.
    stop: () => {
      stopped = true;
      return consumer.disconnect();
    },
  };
}
