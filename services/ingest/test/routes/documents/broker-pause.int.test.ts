// A broker that stops answering (SIGSTOP of the test stack's Kafka, as a fault run pauses it): a
// document whose produce request was in flight may be written later, so its answer is a 504 with
// its id; one still queued behind it is taken out of the queue when its wait ends, so its 503
// means "not written", and it never reaches the topic.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { v5 as uuidv5 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT_ID_NAMESPACE } from '@docpipe/contract';
import { createKafkaClient, type Kafka } from '@docpipe/kafka';
import { stackKafkaAdmin, waitFor } from '@docpipe/testing';
import { invoice } from '../../helpers.js';
import { buildStackApp, newUser } from '../../stack.js';

const root = fileURLToPath(new URL('../../../../..', import.meta.url));
const brokerPid = () => Number(readFileSync(join(root, '.local', process.env['DOCPIPE_PROFILE'] ?? 'test', 'kafka', 'kafka.pid'), 'utf8').trim());

const silent = { error() {}, warn() {}, info() {}, debug() {} };

/** High-water marks of a topic's partitions. */
async function ends(kafka: Kafka, topic: string): Promise<Map<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, o.high]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * The keys written to `topic` from `from` up to its current end, read in one pass by a consumer
 * of its own after the fact, so that no consumer rides through the pause.
 */
async function keysSince(kafka: Kafka, topic: string, from: Map<number, string>): Promise<string[]> {
  const to = await ends(kafka, topic);
  const keys: string[] = [];
  const remaining = new Set([...to].filter(([p, high]) => BigInt(high) > BigInt(from.get(p) ?? '0')).map(([p]) => p));
  if (remaining.size === 0) return keys;
  const consumer = kafka.consumer({ groupId: `ingest-it-pause-${randomUUID()}`, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      if (BigInt(message.offset) >= BigInt(to.get(partition)!)) return;
      keys.push(message.key?.toString() ?? '');
      if (BigInt(message.offset) + 1n >= BigInt(to.get(partition)!)) remaining.delete(partition);
    },
  });
  for (const [partition, offset] of from) if (remaining.has(partition)) consumer.seek({ topic, partition, offset });
  await waitFor('the records written since the start', async () => remaining.size === 0, 30_000);
  await consumer.disconnect();
  return keys;
}

describe('a paused broker', () => {
  let app: FastifyInstance;
  let kafka: Kafka;
  let user: Awaited<ReturnType<typeof newUser>>;
  beforeAll(async () => {
    app = await buildStackApp({ KAFKA_ACK_TIMEOUT_MS: '1500' });
    kafka = createKafkaClient({ ...stackKafkaAdmin('ingest-it-pause'), logger: silent });
    user = await newUser(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = (key: string, doc: Record<string, unknown>) =>
    app.inject({
      method: 'POST',
      url: '/v1/documents',
      payload: JSON.stringify(doc),
      headers: { 'content-type': 'application/json', authorization: user.authorization, 'idempotency-key': key },
    });
  const idOf = (key: string) => uuidv5(`${user.id}:${key}`, DOCUMENT_ID_NAMESPACE);

  it('answers 504 with the id for the write in flight and 503 for the one never sent, and only the first is written', async () => {
    const run = Date.now().toString(36);
    const [sentKey, queuedKey] = [`pause-sent-${run}`, `pause-queued-${run}`];
    const topic = app.pipelines.get('invoices')!.resources.topics.documents;
    const start = await ends(kafka, topic);
    const pid = brokerPid();
    process.kill(pid, 'SIGSTOP');
    let answers;
    try {
      const sent = post(sentKey, invoice({ InvoiceNo: '900001' }));
      // The first request is in flight and unanswered; the next one waits behind it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const queued = post(queuedKey, invoice({ InvoiceNo: '900002' }));
      answers = await Promise.all([sent, queued]);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const [unknown, refused] = answers;
    expect(unknown.statusCode).toBe(504);
    expect(unknown.json()).toMatchObject({ error: 'Gateway Timeout', ids: [idOf(sentKey)] });
    expect(refused.statusCode).toBe(503);
    expect(refused.json().message).toContain('nothing was written');

    // The same key again: the same id, so the store keeps one copy however often it was written.
    const retried = await post(sentKey, invoice({ InvoiceNo: '900001' }));
    expect(retried.statusCode).toBe(202);
    expect(retried.json().id).toBe(idOf(sentKey));
    // Resumed, the broker answered the request it held: the 504's document was written after all,
    // and the one refused as not sent never was.
    const written = await keysSince(kafka, topic, start);
    expect(written.filter((k) => k === idOf(sentKey)).length).toBeGreaterThanOrEqual(1);
    expect(written).not.toContain(idOf(queuedKey));
  }, 90_000);
});
