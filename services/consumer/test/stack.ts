import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { requireStackEnv } from '@docpipe/testing';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { loadConfig, type ConsumerConfig } from '../src/config.js';

/** The local stack's env (scripts/stack/env.sh); integration tests refuse to run without it. */
export function stackEnv(): { brokers: string; mongoUri: string } {
  const env = requireStackEnv(['KAFKA_BROKERS', 'MONGODB_URI']);
  return { brokers: env.KAFKA_BROKERS, mongoUri: env.MONGODB_URI };
}

/**
 * Topics, group and database of their own for one test, so tests neither see the profile's data
 * nor each other's, and can run against a stack that is in use.
 */
export interface Sandbox {
  readonly env: Record<string, string>;
  readonly topics: { readonly documents: string; readonly rejected: string; readonly deadLetter: string };
  readonly groupId: string;
  readonly kafka: Kafka;
  readonly mongo: MongoClient;
  readonly database: string;
  config(overrides?: Partial<ConsumerConfig>): ConsumerConfig;
  produce(topic: string, messages: Message[]): Promise<void>;
  count(collection: string): Promise<number>;
  /** Offsets the group committed on `topic`, summed over partitions (records acknowledged as done). */
  committed(topic: string): Promise<number>;
  dispose(): Promise<void>;
}

export async function createSandbox(name: string, partitions = { documents: 3, rejected: 2 }): Promise<Sandbox> {
  const { brokers, mongoUri } = stackEnv();
  const suffix = `${name}-${randomBytes(4).toString('hex')}`;
  const topics = { documents: `it.documents.${suffix}`, rejected: `it.rejected.${suffix}`, deadLetter: `it.dlq.${suffix}` };
  const groupId = `it-consumer-${suffix}`;
  const database = `it_consumer_${suffix.replaceAll('-', '_')}`;
  const kafka = new Kafka({ clientId: 'consumer-it', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: topics.documents, numPartitions: partitions.documents },
      { topic: topics.rejected, numPartitions: partitions.rejected },
      { topic: topics.deadLetter, numPartitions: 1 },
    ],
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const mongo = await new MongoClient(mongoUri).connect();
  const env = {
    KAFKA_BROKERS: brokers,
    MONGODB_URI: mongoUri,
    MONGODB_DATABASE: database,
    KAFKA_TOPIC_DOCUMENTS: topics.documents,
    KAFKA_TOPIC_REJECTED: topics.rejected,
    KAFKA_TOPIC_DEADLETTER: topics.deadLetter,
    KAFKA_GROUP_ID: groupId,
    LOG_LEVEL: 'error',
    CONSUMER_RETRY_INITIAL_MS: '50',
    CONSUMER_RETRY_MAX_MS: '1000',
  };
  return {
    env,
    topics,
    groupId,
    kafka,
    mongo,
    database,
    config: (overrides = {}) => ({ ...loadConfig(env), metricsPort: 0, ...overrides }),
    async produce(topic, messages) {
      for (let start = 0; start < messages.length; start += 5000) {
        await producer.send({ topic, acks: -1, messages: messages.slice(start, start + 5000) });
      }
    },
    count: (collection) => mongo.db(database).collection(collection).countDocuments(),
    async committed(topic) {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    },
    async dispose() {
      await producer.disconnect();
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
      await mongo.db(database).dropDatabase();
      await mongo.close();
    },
  };
}

export const OWNER = '0b5c6f3e-8d1e-4f57-9a4c-3a1f8c2b7d10';

export function invoice(n: number) {
  return {
    InvoiceNo: `${n % 10 === 0 ? 'C' : ''}${String(536365 + (n % 400000)).padStart(6, '0')}`,
    StockCode: `8512${n % 10}A`,
    Description: 'WHITE HANGING HEART T-LIGHT HOLDER',
    Quantity: (n % 48) + 1,
    InvoiceDate: '01/12/2010 08:26',
    UnitPrice: 2.55,
    CustomerID: 17850 + (n % 1000),
    Country: 'United Kingdom',
  };
}

/** A `documents` record as ingest writes it. */
export function documentMessage(id: string, n = 0): Message {
  return { key: id, value: JSON.stringify({ id, owner: OWNER, receivedAt: '2026-11-25T10:00:00.000Z', doc: invoice(n) }) };
}

export function documentMessages(count: number, prefix: string): Message[] {
  return Array.from({ length: count }, (_, n) => documentMessage(`${prefix}-${n}`, n));
}

/** Reads one sample of a Prometheus text exposition. */
export function metric(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

export async function scrape(port: number, path = '/metrics'): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, text: await res.text() };
}

const SERVICE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Compiles the consumer (and what it references) so child-process tests run the current code. */
export function buildConsumer(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', SERVICE_DIR], { stdio: 'inherit' });
}

