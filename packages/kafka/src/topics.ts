import type { Kafka } from 'kafkajs';

export interface TopicRequest {
  readonly topic: string;
  readonly partitions: number;
  readonly retentionMs?: number;
}

/**
 * Creates the topics that do not exist yet and waits for their leaders; existing topics are left
 * as they are (their partitions and retention belong to whoever created them). For the local
 * stack: in a cluster the operator's KafkaTopics create them and the services may not.
 */
export async function ensureTopics(kafka: Kafka, requests: readonly TopicRequest[]): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = requests.filter((r) => !existing.has(r.topic));
    if (missing.length === 0) return [];
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((r) => ({
        topic: r.topic,
        numPartitions: r.partitions,
        ...(r.retentionMs === undefined ? {} : { configEntries: [{ name: 'retention.ms', value: String(r.retentionMs) }] }),
      })),
    });
    return missing.map((r) => r.topic);
  } finally {
    await admin.disconnect();
  }
}
