import { randomUUID } from 'node:crypto';
import { createKafkaClient, type Kafka } from '@docpipe/kafka';
import { stackKafkaAdmin, stackKafkaEnv } from '@docpipe/testing';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { LogCapture } from './helpers.js';

const REQUIRED = ['KAFKA_BROKERS', 'DATABASE_URL', 'MONGODB_URI', 'JWT_KEYS'] as const;

/**
 * The env of a running local stack. Integration tests fail loudly without it: skipping would let
 * a run without the stack look green.
 */
export function stackEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const missing = REQUIRED.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(
      `integration tests need the local stack: ${missing.join(', ')} not set. Start it and load its env, e.g.\n` +
        '  DOCPIPE_PROFILE=ingestdev DOCPIPE_PORT_OFFSET=200 scripts/stack/up.sh\n' +
        '  eval "$(DOCPIPE_PROFILE=ingestdev scripts/stack/env.sh)" && node services/jobs/dist/main.js migrate',
    );
  }
  return { ...process.env, LOG_LEVEL: 'warn', ...stackKafkaEnv('ingest'), ...overrides };
}

/** Builds the app against the stack and waits until /readyz says every dependency is up. */
export async function buildStackApp(overrides: NodeJS.ProcessEnv = {}, logs = new LogCapture()): Promise<FastifyInstance> {
  const app = await buildApp(loadConfig(stackEnv(overrides)), { logStream: logs });
  await app.ready();
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    if (res.statusCode === 200) return app;
    if (Date.now() > deadline) {
      await app.close();
      throw new Error(`the app did not become ready against the stack: ${res.body}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Registers a fresh user and returns its id and an Authorization header value. */
export async function newUser(app: FastifyInstance): Promise<{ id: string; username: string; password: string; authorization: string }> {
  const username = `it-${randomUUID().slice(0, 13)}`;
  const password = `pw-${randomUUID()}`;
  const json = { 'content-type': 'application/json' };
  const created = await app.inject({ method: 'POST', url: '/v1/users', payload: { username, password }, headers: json });
  if (created.statusCode !== 201) throw new Error(`registration failed: ${created.statusCode} ${created.body}`);
  const token = await app.inject({ method: 'POST', url: '/v1/token', payload: { username, password }, headers: json });
  if (token.statusCode !== 200) throw new Error(`login failed: ${token.statusCode} ${token.body}`);
  return { id: created.json().id, username, password, authorization: `Bearer ${token.json().access_token}` };
}

export function stackPool(): pg.Pool {
  return new pg.Pool({ connectionString: stackEnv()['DATABASE_URL'], max: 2 });
}

export interface ReadRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: Record<string, unknown>;
}

/**
 * Reads what lands on the topics from now on: the end offsets are taken first and the consumer
 * seeks to them, so records produced before (other runs, load tests) are not read.
 */
export class TopicReader {
  readonly #records = new Map<string, ReadRecord[]>();
  readonly #consumer: ReturnType<Kafka['consumer']>;

  private constructor(kafka: Kafka) {
    this.#consumer = kafka.consumer({ groupId: `ingest-it-${randomUUID()}`, allowAutoTopicCreation: false });
  }

  static async start(topics: readonly string[]): Promise<TopicReader> {
    const silent = { error() {}, warn() {}, info() {}, debug() {} };
    const kafka = createKafkaClient({ ...stackKafkaAdmin('ingest-it'), logger: silent });
    const reader = new TopicReader(kafka);
    const admin = kafka.admin();
    await admin.connect();
    const ends = await Promise.all(topics.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) })));
    await admin.disconnect();

    const consumer = reader.#consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const key = message.key?.toString() ?? '';
        const record = { topic, key, value: JSON.parse(message.value?.toString() ?? 'null') as Record<string, unknown> };
        reader.#records.set(key, [...(reader.#records.get(key) ?? []), record]);
      },
    });
    for (const { topic, offsets } of ends) {
      for (const { partition, high } of offsets) consumer.seek({ topic, partition, offset: high });
    }
    return reader;
  }

  /** Every record with this key seen so far on any topic, waiting until at least `count` arrived. */
  async records(key: string, count = 1, timeoutMs = 15_000): Promise<ReadRecord[]> {
    const deadline = Date.now() + timeoutMs;
    while ((this.#records.get(key)?.length ?? 0) < count) {
      if (Date.now() > deadline) throw new Error(`no ${count} record(s) with key ${key} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return this.#records.get(key) ?? [];
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }
}
