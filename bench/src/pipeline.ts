// The bench stack's Kafka topics and MongoDB collections between measurements: emptied, filled
// and counted, so each measurement starts from the same state.
import { CONSUMER_GROUP, INVOICES } from '@docpipe/contract';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { MongoClient, type Db, type MongoServerError } from 'mongodb';
import { stackKafkaAdmin } from '@docpipe/testing';
import type { BenchContext } from './context.js';
import type { Envelope } from './documents.js';

// No dead-letter topic: the benchmark's documents are never poison.
export const TOPICS = { documents: INVOICES.topics.documents, rejected: INVOICES.topics.rejected } as const;

export class Pipeline {
  readonly kafka: Kafka;
  readonly mongo: MongoClient;
  readonly db: Db;
  readonly #admin: Admin;

  private constructor(kafka: Kafka, admin: Admin, mongo: MongoClient, database: string) {
    this.kafka = kafka;
    this.#admin = admin;
    this.mongo = mongo;
    this.db = mongo.db(database);
  }

  static async connect(ctx: BenchContext): Promise<Pipeline> {
    const kafka = new Kafka({ ...stackKafkaAdmin('bench', ctx.serviceEnv), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const mongo = await new MongoClient(ctx.mongoUri).connect();
    return new Pipeline(kafka, admin, mongo, ctx.database);
  }

  async close(): Promise<void> {
    await this.#admin.disconnect();
    await this.mongo.close();
  }

  async createTopic(topic: string, partitions: number): Promise<void> {
    await this.#admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] });
  }

  /**
   * Empties the pipeline's topics (their records are deleted, the topics stay as the stack made
   * them), forgets the groups' offsets and drops the database: the next measurement starts bare.
   */
  async reset(groups: readonly string[] = [CONSUMER_GROUP]): Promise<void> {
    await this.resetKafka(groups);
    await this.db.dropDatabase();
  }

  /** reset's Kafka half: the topics emptied and the groups' offsets forgotten, the store left as it is. */
  async resetKafka(groups: readonly string[] = [CONSUMER_GROUP]): Promise<void> {
    for (const topic of Object.values(TOPICS)) {
      const ends = await this.#admin.fetchTopicOffsets(topic);
      await this.#admin.deleteTopicRecords({ topic, partitions: ends.map((p) => ({ partition: p.partition, offset: '-1' })) });
    }
    const existing = new Set((await this.#admin.listGroups()).groups.map((g) => g.groupId));
    const stale = groups.filter((g) => existing.has(g));
    if (stale.length > 0) await this.#admin.deleteGroups(stale);
  }

  /** Produces the envelopes to `documents` as ingest does (keyed by id, acks=all). */
  async fill(items: readonly Envelope[], perRequest = 5000): Promise<void> {
    const producer = this.kafka.producer();
    await producer.connect();
    try {
      for (let start = 0; start < items.length; start += perRequest) {
        await producer.send({ topic: TOPICS.documents, acks: -1, messages: items.slice(start, start + perRequest) });
      }
    } finally {
      await producer.disconnect();
    }
  }

  /**
   * Documents in the collections, from `$collStats`. Not estimatedDocumentCount: FerretDB v1 answers
   * its `count` command by reading every document (5 s at 40,000 documents, measured), so polling
   * it kept the store busy during the very drains it timed; `$collStats` took 90 ms there.
   */
  async count(collections: readonly string[]): Promise<number> {
    const counts = await Promise.all(collections.map((c) => collectionCount(this.db, c)));
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Earliest ingestedAt and latest storedAt over the collections (epoch ms): the pipeline's span as the servers saw it. */
  async span(collections: readonly string[]): Promise<{ firstIngestedAt: number; lastStoredAt: number }> {
    const edge = async (collection: string, field: 'ingestedAt' | 'storedAt', direction: 1 | -1) => {
      const doc = await this.db.collection(collection).find({}, { projection: { [field]: 1 } }).sort({ [field]: direction }).limit(1).next();
      const value = doc?.[field] as Date | undefined;
      return value ? value.getTime() : undefined;
    };
    const firsts = await Promise.all(collections.map((c) => edge(c, 'ingestedAt', 1)));
    const lasts = await Promise.all(collections.map((c) => edge(c, 'storedAt', -1)));
    const defined = (values: Array<number | undefined>) => values.filter((v): v is number => v !== undefined);
    if (defined(firsts).length === 0) throw new Error(`nothing stored in ${collections.join(', ')}`);
    return { firstIngestedAt: Math.min(...defined(firsts)), lastStoredAt: Math.max(...defined(lasts)) };
  }

  /**
   * Polls Kafka, not the store, until `group` has committed every record of `topic`: the consumer
   * and the sink connector commit only what they wrote, so a group at the log end has stored it
   * all. Counting the store instead costs it more than the drain it times: `$collStats` reads
   * every document on FerretDB v1 (160 ms at 40,000 on the reference box), so a poll every
   * 100 ms took a third of the store's time from the writes. Returns performance.now() then.
   */
  async waitForCommitted(group: string, topic: string, timeoutMs: number, signal?: AbortSignal): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    const ends = new Map((await this.#admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
    for (;;) {
      signal?.throwIfAborted();
      const [committed] = await this.#admin.fetchOffsets({ groupId: group, topics: [topic] });
      const now = performance.now();
      const behind = (committed?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, (ends.get(p.partition) ?? 0) - Math.max(0, Number(p.offset))), 0);
      if (committed && behind === 0) return now;
      if (now > deadline) throw new Error(`group ${group} is still ${behind} records behind on ${topic} after ${Math.round(timeoutMs / 1000)} s`);
      await sleep(100);
    }
  }

  /**
   * Polls until the collections hold `expected` documents. Returns the times (performance.now())
   * when the first document appeared and when the last one did.
   */
  async waitForCount(
    collections: readonly string[],
    expected: number,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<{ first: number; last: number }> {
    const deadline = performance.now() + timeoutMs;
    let first: number | undefined;
    for (;;) {
      signal?.throwIfAborted();
      const stored = await this.count(collections);
      const now = performance.now();
      if (stored > 0) first ??= now;
      if (stored >= expected) return { first: first ?? now, last: now };
      if (now > deadline) throw new Error(`only ${stored} of ${expected} documents stored in ${collections.join(', ')} after ${Math.round(timeoutMs / 1000)} s`);
      // 100 ms: 0.5 % of a 20 s drain, and few enough counts not to load the store being measured.
      await sleep(100);
    }
  }
}

const NAMESPACE_NOT_FOUND = 26;

async function collectionCount(db: Db, collection: string): Promise<number> {
  try {
    const [stats] = await db.collection(collection).aggregate<{ count: number }>([{ $collStats: { count: {} } }]).toArray();
    return stats?.count ?? 0;
  } catch (error) {
    // Nothing stored yet: the collection does not exist.
    if ((error as MongoServerError).code === NAMESPACE_NOT_FOUND) return 0;
    throw error;
  }
}
