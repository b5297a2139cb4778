import { freePort, ServiceProcess, waitFor } from '@docpipe/testing';
import { Kafka, type KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startConsumerService, type ConsumerService } from '../src/app.js';
import {
  buildConsumer,
  createSandbox,
  documentMessage,
  documentMessages,
  metric,
  OWNER,
  scrape,
  type Sandbox,
} from './stack.js';

const logger = pino({ level: 'error' });
let sandbox: Sandbox | undefined;
let services: ConsumerService[] = [];

async function start(box: Sandbox, overrides = {}) {
  const service = await startConsumerService(box.config(overrides), logger);
  services.push(service);
  return service;
}

afterEach(async () => {
  await Promise.all(services.map((s) => s.stop()));
  services = [];
  await sandbox?.dispose();
  sandbox = undefined;
});

async function readTopic(kafka: Kafka, topic: string, count: number): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `it-reader-${topic}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const messages: KafkaMessage[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
  await waitFor(`${count} records in ${topic}`, async () => messages.length >= count, 30_000);
  await consumer.disconnect();
  return messages;
}

describe('consumer against the local stack (Kafka + FerretDB)', () => {
  it('stores documents and rejections in their stored shape, and dead-letters poison without stalling the partition', async () => {
    const box = (sandbox = await createSandbox('shape', { documents: 1, rejected: 1 }));
    const notJson = Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x22]);
    const invalid = { id: 'bad-doc', owner: OWNER, receivedAt: '2026-11-25T10:00:00.000Z', doc: { InvoiceNo: 'nope' } };
    await box.produce(box.topics.documents, [
      ...documentMessages(10, 'before'),
      { key: 'poison-1', value: notJson },
      { key: 'poison-2', value: JSON.stringify(invalid) },
      ...documentMessages(10, 'after'),
    ]);
    const rejection = (id: string, extra: object) =>
      JSON.stringify({ id, owner: OWNER, receivedAt: '2026-11-25T10:00:01.000Z', errors: [{ field: 'Quantity', reason: 'must be integer' }], ...extra });
    await box.produce(box.topics.rejected, [
      { key: 'rej-doc', value: rejection('rej-doc', { doc: { Quantity: 'six' } }) },
      { key: 'rej-raw', value: rejection('rej-raw', { raw: '{"Quantity": six' }) },
      // ingest rejects $-keys as forbidden_key; FerretDB refuses to store them inside `doc`.
      { key: 'rej-dollar', value: rejection('rej-dollar', { doc: { $where: 'sleep(100)', 'a.b': 1 } }) },
    ]);

    const service = await start(box);
    await waitFor('20 documents, 3 rejections and 2 dead letters', async () =>
      (await box.count(box.collections.documents)) === 20 && (await box.count(box.collections.rejected)) === 3 && (await box.count('deadletters')) === 2,
    );

    const db = box.mongo.db(box.database);
    const stored = await db.collection(box.collections.documents).findOne({ _id: 'after-0' as never });
    expect(stored).toMatchObject({
      _id: 'after-0',
      owner: OWNER,
      InvoiceNo: 'C536365',
      InvoiceDate: new Date('2010-12-01T08:26:00Z'),
      Quantity: 1,
      UnitPrice: 2.55,
      CustomerID: 17850,
      total: 2.55,
      cancelled: true,
      ingestedAt: new Date('2026-11-25T10:00:00.000Z'),
    });
    expect(stored?.['storedAt']).toBeInstanceOf(Date);
    expect(await db.collection(box.collections.rejected).findOne({ _id: 'rej-doc' as never })).toMatchObject({ doc: { Quantity: 'six' }, owner: OWNER });
    expect(await db.collection(box.collections.rejected).findOne({ _id: 'rej-raw' as never })).toMatchObject({ raw: '{"Quantity": six' });
    const dollar = await db.collection(box.collections.rejected).findOne({ _id: 'rej-dollar' as never });
    // MongoDB keeps the doc as it is; FerretDB gets its JSON as text.
    expect(dollar?.['doc'] ?? JSON.parse(dollar?.['raw'] as string)).toEqual({ $where: 'sleep(100)', 'a.b': 1 });

    const dlq = await readTopic(box.kafka, box.topics.deadLetter, 2);
    const byKey = new Map(dlq.map((m) => [m.key?.toString(), m]));
    expect(byKey.get('poison-1')?.value).toEqual(notJson);
    expect(byKey.get('poison-2')?.value?.toString()).toBe(JSON.stringify(invalid));
    const headers = byKey.get('poison-1')?.headers ?? {};
    expect(Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]))).toEqual({
      'dlq-reason': 'record value is not JSON',
      'dlq-topic': box.topics.documents,
      'dlq-partition': '0',
      'dlq-offset': '10',
    });
    const letters = await db.collection('deadletters').find().sort({ offset: 1 }).toArray();
    expect(letters.map((l) => [l._id, l['key'], l['topic'], l['partition'], l['offset']])).toEqual([
      [`${box.topics.documents}:0:10`, 'poison-1', box.topics.documents, 0, 10],
      [`${box.topics.documents}:0:11`, 'poison-2', box.topics.documents, 0, 11],
    ]);
    expect(letters[1]?.['reason']).toContain('document bad-doc is invalid');
    expect(letters[1]?.['value']).toBe(JSON.stringify(invalid));

    const { text } = await scrape(service.metricsPort);
    expect(metric(text, 'consumer_documents_stored_total', `collection="${box.collections.documents}"`)).toBe(20);
    expect(metric(text, 'consumer_documents_stored_total', `collection="${box.collections.rejected}"`)).toBe(3);
    expect(metric(text, 'consumer_deadletters_total')).toBe(2);
    expect(metric(text, 'consumer_lag', `topic="${box.topics.documents}",partition="0"`)).toBe(0);
    expect(text).toContain('process_cpu_user_seconds_total');
    // The pipeline it serves, with its revision: what the operator reads into the status.
    expect(text).toMatch(/^consumer_pipeline_served\{pipeline="[a-z0-9-]+",revision="[0-9a-f]+",generation=""\} 1$/m);
    expect((await scrape(service.metricsPort, '/readyz')).status).toBe(200);
    expect((await scrape(service.metricsPort, '/healthz')).status).toBe(200);
  }, 90_000);

  it('stores an id produced twice once, and treats a full replay as duplicates', async () => {
    const box = (sandbox = await createSandbox('dups'));
    await box.produce(box.topics.documents, [documentMessage('same-id', 1), documentMessage('other-id', 2), documentMessage('same-id', 1)]);
    const first = await start(box);
    await waitFor('both documents and the duplicate', async () => metric((await scrape(first.metricsPort)).text, 'consumer_duplicates_total') === 1);
    expect(await box.count(box.collections.documents)).toBe(2);
    await first.stop();

    // Another group reads the same records again: every write is a duplicate, nothing changes.
    const replay = await start(box, { groupId: `${box.groupId}-replay` });
    await waitFor('the replay', async () => metric((await scrape(replay.metricsPort)).text, 'consumer_duplicates_total') === 3);
    expect(metric((await scrape(replay.metricsPort)).text, 'consumer_documents_stored_total', `collection="${box.collections.documents}"`)).toBe(0);
    expect(await box.count(box.collections.documents)).toBe(2);
  }, 90_000);

  it('commits what it stored on a graceful stop, so a restart reprocesses nothing and loses nothing', async () => {
    const box = (sandbox = await createSandbox('graceful'));
    const total = 20_000;
    await box.produce(box.topics.documents, documentMessages(total, 'g'));
    // Small fetches keep the batches in hand, which a stop finishes, well short of the whole topic.
    const tuning = { chunkSize: 100, maxBytesPerPartition: 64 * 1024 };
    const first = await start(box, tuning);
    await waitFor('a first part stored', async () => (await box.count(box.collections.documents)) >= 3_000);
    await first.stop();
    const storedAtStop = await box.count(box.collections.documents);
    const committedAtStop = await box.committed(box.topics.documents);
    expect(storedAtStop).toBeLessThan(total);
    expect(committedAtStop).toBe(storedAtStop);

    const second = await start(box, tuning);
    await waitFor('every document stored', async () => (await box.count(box.collections.documents)) === total);
    await waitFor('every offset committed', async () => (await box.committed(box.topics.documents)) === total);
    const { text } = await scrape(second.metricsPort);
    expect(metric(text, 'consumer_duplicates_total')).toBe(0);
    expect(metric(text, 'consumer_documents_stored_total', `collection="${box.collections.documents}"`)).toBe(total - storedAtStop);
  }, 180_000);

  describe('as a separate process', () => {
    beforeAll(() => buildConsumer());

    it('loses and duplicates nothing when killed with SIGKILL mid-stream and restarted', async () => {
      const box = (sandbox = await createSandbox('sigkill'));
      const total = 30_000;
      await box.produce(box.topics.documents, documentMessages(total, 'k'));
      // The killed member holds its partitions until its session expires: keep that short here.
      // Small fetches keep the victim some seconds from the end of the topic when it is killed.
      const env = {
        ...box.env,
        METRICS_PORT: String(await freePort()),
        CONSUMER_CHUNK_SIZE: '500',
        CONSUMER_MAX_BYTES_PER_PARTITION: String(64 * 1024),
        CONSUMER_SESSION_TIMEOUT_MS: '6000',
      };

      const readyUrl = `http://127.0.0.1:${env.METRICS_PORT}/readyz`;
      const victim = ServiceProcess.spawn('consumer', env);
      // Progress from the victim's own counter: counting the store reads every document on FerretDB,
      // so by the time a count said 5,000 the victim had once stored all 30,000.
      const storedByVictim = async () => {
        const { text } = await scrape(Number(env.METRICS_PORT)).catch(() => ({ text: '' }));
        return metric(text, 'consumer_documents_stored_total', `collection="${box.collections.documents}"`);
      };
      await waitFor('a first part stored', async () => (await storedByVictim()) >= 5_000);
      expect(await victim.stop('SIGKILL')).toBeNull();
      const storedAtKill = await box.count(box.collections.documents);
      expect(storedAtKill).toBeLessThan(total);

      const survivor = await ServiceProcess.start('consumer', readyUrl, env);
      try {
        await waitFor('every document stored', async () => (await box.count(box.collections.documents)) === total, 120_000);
        await waitFor('every offset committed', async () => (await box.committed(box.topics.documents)) === total);
        const { text } = await scrape(Number(env.METRICS_PORT));
        // Whatever the victim stored but had not committed was replayed, and found already stored.
        expect(metric(text, 'consumer_documents_stored_total', `collection="${box.collections.documents}"`) + metric(text, 'consumer_duplicates_total')).toBeGreaterThanOrEqual(
          total - storedAtKill,
        );
        expect(await box.count(box.collections.documents)).toBe(total);
        expect(await box.count('deadletters')).toBe(0);
      } finally {
        expect(await survivor.stop()).toBe(0);
      }
    }, 240_000);
  });
});
