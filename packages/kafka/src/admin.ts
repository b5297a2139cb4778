import type { Kafka } from 'kafkajs';

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor?: number;
}

/** Creates the topics that are missing; existing ones are left as they are. Idempotent. */
export async function ensureTopics(kafka: Kafka, topics: readonly TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions, replicationFactor: t.replicationFactor ?? 1 })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** Records in the topics that the group has not committed yet (the consumer lag), summed. */
export async function groupLag(kafka: Kafka, groupId: string, topics: readonly string[]): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let lag = 0;
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    for (const { topic, partitions } of committed) {
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
      for (const p of partitions) {
        const done = Number(p.offset) < 0 ? 0 : Number(p.offset);
        lag += (ends.get(p.partition) ?? 0) - done;
      }
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}
