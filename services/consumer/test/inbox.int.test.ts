import { toStoredDocument, withoutKind } from '@docpipe/pipeline';
import { waitFor } from '@docpipe/testing';
import type { Message } from 'kafkajs';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startConsumerService, type ConsumerService } from '../src/app.js';
import { INBOX_OWNER, inboxId } from '../src/inbox.js';
import { createSandbox, metric, scrape, type Sandbox } from './stack.js';

const logger = pino({ level: 'error' });
let sandbox: Sandbox | undefined;
let services: ConsumerService[] = [];

afterEach(async () => {
  await Promise.all(services.map((s) => s.stop()));
  services = [];
  await sandbox?.dispose();
  sandbox = undefined;
});

const order = (n: number) => ({
  orderId: `ORD-${String(100000 + n)}`,
  placedAt: '2026-11-30 17:45:00',
  customer: { id: n + 1, email: `buyer${n}@example.org` },
  lines: [
    { sku: 'TEA-01', quantity: n + 1, unitPrice: 3.5 },
    { sku: 'MUG-07', quantity: 1, unitPrice: 12.99 },
  ],
});

describe('the inbox of a pipeline, against the local stack', () => {
  it('validates what a Kafka producer sent like ingest does: valid documents stored, the rest rejected with the same reasons', async () => {
    const box = (sandbox = await createSandbox('inbox'));
    const orders = box.addPipeline('orders');
    const inbox = orders.resources.topics.inbox;
    const { collections } = orders.resources;
    const service = await startConsumerService(box.config(), logger);
    services.push(service);

    const valid = [order(1), order(2), { ...order(3), currency: 'GBP' }];
    const invalid: unknown[] = [
      { ...order(4), orderId: '125', lines: [] },
      { ...order(5), customer: { id: 0 }, extra: true },
      { ...order(6), $where: 'sleep(100)' },
      [order(7)],
    ];
    const notJson = ['{"orderId": "ORD-000008", ', ''];
    // Everything on one partition, in this order: record i is at offset i.
    const values = [...valid.map((d) => JSON.stringify(d)), ...invalid.map((d) => JSON.stringify(d)), ...notJson];
    const messages: Message[] = values.map((value) => ({ value, partition: 0 }));
    await box.produce(inbox, messages);

    const db = box.mongo.db(box.database);
    const count = (collection: string) => db.collection(collection).countDocuments();
    await waitFor('the valid orders stored and the others rejected', async () =>
      (await count(collections.documents)) === valid.length && (await count(collections.rejected)) === invalid.length + notJson.length,
    );
    const idAt = (offset: number) => inboxId(inbox, 0, String(offset));

    for (const [offset, doc] of valid.entries()) {
      const stored = await db.collection(collections.documents).findOne({ _id: idAt(offset) as never });
      expect(stored?.['ingestedAt']).toBeInstanceOf(Date);
      const envelope = { id: idAt(offset), owner: INBOX_OWNER, receivedAt: (stored?.['ingestedAt'] as Date).toISOString(), revision: orders.revision, doc };
      // What the documents topic would have given for the same document over HTTP.
      expect(stored).toEqual(toStoredDocument(orders, JSON.stringify(envelope), stored?.['storedAt'] as Date));
    }

    for (const [i, doc] of invalid.entries()) {
      const rejection = await db.collection(collections.rejected).findOne({ _id: idAt(valid.length + i) as never });
      const validation = orders.validate(doc);
      if (validation.ok) throw new Error(`invalid[${i}] is valid`);
      expect(rejection).toMatchObject({ owner: INBOX_OWNER, pipeline: orders.name, validatedBy: orders.revision, errors: withoutKind(validation.errors) });
      // MongoDB keeps the doc as it is; FerretDB gets the JSON of one with a $-key as text.
      expect(rejection?.['doc'] ?? JSON.parse(rejection?.['raw'] as string)).toEqual(doc);
    }

    for (const [i, text] of notJson.entries()) {
      const rejection = await db.collection(collections.rejected).findOne({ _id: idAt(valid.length + invalid.length + i) as never });
      let reason = '';
      try {
        JSON.parse(text);
      } catch (error) {
        reason = `is not valid JSON: ${(error as Error).message}`;
      }
      expect(rejection).toMatchObject({ owner: INBOX_OWNER, errors: [{ field: '(document)', reason }], raw: text });
    }
    expect(await count('deadletters')).toBe(0);

    // Another group reads the inbox again, as a member would after a crash: the ids are the same.
    await service.stop();
    const replay = await startConsumerService(box.config({ groupId: `${box.groupId}-replay` }), logger);
    services.push(replay);
    await waitFor('the replay', async () => metric((await scrape(replay.metricsPort)).text, 'consumer_duplicates_total') === values.length);
    expect(await count(collections.documents)).toBe(valid.length);
    expect(await count(collections.rejected)).toBe(invalid.length + notJson.length);
  }, 120_000);
});
