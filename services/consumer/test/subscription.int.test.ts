import { waitFor } from '@docpipe/testing';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startConsumerService, type ConsumerService } from '../src/app.js';
import { createSandbox, documentMessages, metric, OWNER, scrape, type Sandbox } from './stack.js';

const logger = pino({ level: 'error' });
let sandbox: Sandbox | undefined;
let service: ConsumerService | undefined;

afterEach(async () => {
  await service?.stop();
  await sandbox?.dispose();
  sandbox = service = undefined;
});

const order = (n: number) => ({
  orderId: `ORD-${String(200000 + n)}`,
  placedAt: '2026-11-30 17:45:00',
  customer: { id: n + 1, email: `buyer${n}@example.org` },
  lines: [{ sku: 'PEN-3', quantity: 10, unitPrice: 0.45 }],
});

describe('pipelines changing under a running consumer, against the local stack', () => {
  it('consumes a pipeline added to the watched folder without a restart, and carries on with the others', async () => {
    const box = (sandbox = await createSandbox('added'));
    const running = (service = await startConsumerService(box.config(), logger));
    const stored = async (collection: string) => metric((await scrape(running.metricsPort)).text, 'consumer_documents_stored_total', `collection="${collection}"`);
    await box.produce(box.topics.documents, documentMessages(10, 'before'));
    await waitFor('the invoices stored', async () => (await stored(box.collections.documents)) === 10);

    const orders = box.addPipeline('orders');
    const { topics, collections } = orders.resources;
    const admin = box.kafka.admin();
    await admin.connect();
    try {
      await waitFor('the consumer to create the new topics', async () => (await admin.listTopics()).includes(topics.inbox), 30_000);
    } finally {
      await admin.disconnect();
    }
    const envelope = (n: number) => ({ id: `order-${n}`, owner: OWNER, receivedAt: '2026-11-30T17:45:01.000Z', pipeline: orders.name, revision: orders.revision, doc: order(n) });
    await box.produce(topics.documents, Array.from({ length: 5 }, (_, n) => ({ key: `order-${n}`, value: JSON.stringify(envelope(n)) })));
    await box.produce(topics.inbox, [{ value: JSON.stringify(order(5)) }]);
    await box.produce(box.topics.documents, documentMessages(10, 'after'));

    // The counters of the service started above: the same process served both pipelines.
    await waitFor('the orders stored', async () => (await stored(collections.documents)) === 6, 60_000);
    await waitFor('the invoices sent after the switch stored', async () => (await stored(box.collections.documents)) === 20);
    const text = (await scrape(running.metricsPort)).text;
    // The member that left committed what it had stored: the new one replayed nothing.
    expect(metric(text, 'consumer_duplicates_total')).toBe(0);
    expect(await box.mongo.db(box.database).collection(collections.documents).findOne({ _id: 'order-0' as never })).toMatchObject({
      pipeline: orders.name,
      lineCount: 1,
      total: 4.5,
      transformedBy: orders.revision,
    });

    // The spec's index, built beside consumption.
    await waitFor('the index of the new pipeline', async () => {
      const indexes = await box.mongo.db(box.database).collection(collections.documents).indexes();
      return indexes.some((index) => JSON.stringify(index.key) === JSON.stringify({ 'customer.id': 1, placedAt: -1 }));
    });
    expect((await scrape(running.metricsPort, '/readyz')).status).toBe(200);
  }, 120_000);
});
