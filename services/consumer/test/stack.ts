import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePipelineFile, topicRequests, type CompiledPipeline } from '@docpipe/pipeline';
import { requireStackEnv, stackKafkaAdmin, stackKafkaEnv } from '@docpipe/testing';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { parseDocument } from 'yaml';
import { loadConfig, type ConsumerConfig } from '../src/config.js';
import { specText } from './pipelines.js';

/** The local stack's env (scripts/stack/env.sh); integration tests refuse to run without it. */
export function stackEnv(): { brokers: string; mongoUri: string } {
  const env = requireStackEnv(['KAFKA_BROKERS', 'MONGODB_URI']);
  return { brokers: env.KAFKA_BROKERS, mongoUri: env.MONGODB_URI };
}

/**
 * A copy of the repository's pipeline `name` with the edits (YAML path -> value) applied, comments
 * and all, written to `dir` the way a ConfigMap update lands: whole, under its final name at once.
 */
function writePipeline(dir: string, name: string, edits: Readonly<Record<string, string>>): CompiledPipeline {
  const doc = parseDocument(specText(name));
  for (const [path, value] of Object.entries(edits)) doc.setIn(path.split('.'), value);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(join(dir, `.${name}.yaml.tmp`), doc.toString());
  renameSync(join(dir, `.${name}.yaml.tmp`), file);
  return compilePipelineFile(file);
}

/**
 * Pipelines, topics, collections, group and database of their own for one test, so tests neither
 * see the profile's data nor each other's, and can run against a stack that is in use. The consumer
 * serves a folder holding a copy of the invoices pipeline under the sandbox's names.
 */
export interface Sandbox {
  readonly env: Record<string, string>;
  readonly topics: { readonly documents: string; readonly rejected: string; readonly deadLetter: string };
  readonly collections: { readonly documents: string; readonly rejected: string };
  readonly groupId: string;
  readonly kafka: Kafka;
  readonly mongo: MongoClient;
  readonly database: string;
  config(overrides?: Partial<ConsumerConfig>): ConsumerConfig;
  /**
   * Adds a copy of the repository's pipeline `name` to the served folder, named for this sandbox
   * (its topics and collections follow the name); the consumer creates its topics (createTopics).
   */
  addPipeline(name: string): CompiledPipeline;
  produce(topic: string, messages: Message[]): Promise<void>;
  count(collection: string): Promise<number>;
  /** Offsets the group committed on `topic`, summed over partitions (records acknowledged as done). */
  committed(topic: string): Promise<number>;
  dispose(): Promise<void>;
}

export async function createSandbox(name: string, partitions = { documents: 3, rejected: 2 }): Promise<Sandbox> {
  const { brokers, mongoUri } = stackEnv();
  const suffix = `${name}-${randomBytes(4).toString('hex')}`;
  const pipelinesDir = mkdtempSync(join(tmpdir(), 'consumer-pipelines-'));
  const invoices = writePipeline(pipelinesDir, 'invoices', {
    'spec.topic.name': `it.documents.${suffix}`,
    'spec.storage.collection': `it_documents_${suffix}`,
    'spec.storage.rejectedCollection': `it_rejected_${suffix}`,
  });
  const { topics: names, collections } = invoices.resources;
  const topics = { documents: names.documents, rejected: names.rejected, deadLetter: names.deadletter };
  const created = Object.values(topics);
  const groupId = `it-consumer-${suffix}`;
  const database = `it_consumer_${suffix.replaceAll('-', '_')}`;
  const kafka = new Kafka({ ...stackKafkaAdmin('consumer-it'), logLevel: logLevel.NOTHING });
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
  // Idempotent: a send retried after an answer that was lost (a topic just created) must not write
  // its records twice, since tests count what the consumer finds already stored.
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const mongo = await new MongoClient(mongoUri).connect();
  const env = {
    KAFKA_BROKERS: brokers,
    ...stackKafkaEnv('consumer'),
    MONGODB_URI: mongoUri,
    MONGODB_DATABASE: database,
    PIPELINES_DIR: pipelinesDir,
    // A pipeline a test adds gets its topics from the consumer, as on the local stack.
    KAFKA_CREATE_TOPICS: 'true',
    KAFKA_GROUP_ID: groupId,
    LOG_LEVEL: 'error',
    CONSUMER_RETRY_INITIAL_MS: '50',
    CONSUMER_RETRY_MAX_MS: '1000',
  };
  return {
    env,
    topics,
    collections,
    groupId,
    kafka,
    mongo,
    database,
    config: (overrides = {}) => ({ ...loadConfig(env), metricsPort: 0, ...overrides }),
    addPipeline(pipeline) {
      const added = writePipeline(pipelinesDir, pipeline, { 'metadata.name': `it-${pipeline}-${randomBytes(4).toString('hex')}` });
      created.push(...topicRequests(added).map((r) => r.topic));
      return added;
    },
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
      await admin.deleteTopics({ topics: created }).catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
      await mongo.db(database).dropDatabase();
      await mongo.close();
      rmSync(pipelinesDir, { recursive: true, force: true });
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

