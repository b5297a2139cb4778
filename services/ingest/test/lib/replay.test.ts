import type { OutgoingRecord } from '@docpipe/kafka';
import type { StoredRejection } from '@docpipe/pipeline';
import { describe, expect, it } from 'vitest';
import { pipelineNamespace, replayId } from '../../src/lib/ids.js';
import { replayRejected } from '../../src/lib/replay.js';
import type { KafkaOutlet } from '../../src/plugins/kafka.js';
import type { MongoStore, Recheck } from '../../src/plugins/mongo.js';
import { order, repositoryPipeline } from '../helpers.js';

const orders = repositoryPipeline('orders');
const OWNER = '0190a5f0-0000-7000-8000-000000000001';
const window = { from: new Date(0), to: new Date() };

const rejection = (n: number, doc: unknown): StoredRejection => ({
  _id: `0190a5f0-0000-7000-8000-0000000000${String(n).padStart(2, '0')}`,
  owner: OWNER,
  pipeline: 'orders',
  ingestedAt: new Date(`2026-01-0${n}T00:00:00.000Z`),
  storedAt: new Date(),
  errors: [{ field: 'x', reason: 'was refused by an older schema' }],
  doc,
});

/** Stand-ins for MongoDB and Kafka: what the consumer would store is what Kafka was handed. */
function stores(rejections: StoredRejection[]) {
  const stored = new Set<string>();
  const produced: { topic: string; records: readonly OutgoingRecord[] }[] = [];
  const rechecks: { rechecks: readonly Recheck[]; revision: string; at: Date }[] = [];
  const chunks: number[] = [];
  const mongo = {
    async *rejectedDocuments(_pipeline, _window, chunkSize) {
      for (let i = 0; i < rejections.length; i += chunkSize) {
        chunks.push(Math.min(chunkSize, rejections.length - i));
        yield rejections.slice(i, i + chunkSize);
      }
    },
    storedIds: async (_pipeline, ids) => new Set(ids.filter((id) => stored.has(id))),
    recordRechecks: async (_pipeline, list, revision, at) => void (list.length > 0 && rechecks.push({ rechecks: list, revision, at })),
  } as Partial<MongoStore> as MongoStore;
  const kafka = {
    publish: async (topic: string, records: readonly OutgoingRecord[]) => {
      produced.push({ topic, records });
      for (const record of records) stored.add(record.key as string);
    },
  } as Partial<KafkaOutlet> as KafkaOutlet;
  return { mongo, kafka, produced, rechecks, chunks };
}

describe('replayRejected', () => {
  const rejections = [
    rejection(1, order()),
    rejection(2, order({ lines: [{ sku: 'TEA-01', quantity: 0, unitPrice: 1 }] })),
    rejection(3, order({ orderId: 'ORD-000999' })),
  ];

  it('produces what passes now, under the rejection-derived id with its owner and receivedAt, in chunks', async () => {
    const { mongo, kafka, produced, rechecks, chunks } = stores(rejections);
    const counts = await replayRejected(orders, window, { mongo, kafka }, 2);
    expect(counts).toEqual({ examined: 3, replayed: 2, alreadyStored: 0, stillRejected: 1 });
    expect(chunks).toEqual([2, 1]);
    const records = produced.flatMap((p) => p.records.map((r) => ({ topic: p.topic, key: r.key, value: JSON.parse(r.value as string) })));
    const namespace = pipelineNamespace('orders');
    expect(records).toEqual([
      {
        topic: 'orders',
        key: replayId(rejections[0]?._id as string, namespace),
        value: { id: replayId(rejections[0]?._id as string, namespace), owner: OWNER, receivedAt: '2026-01-01T00:00:00.000Z', pipeline: 'orders', revision: orders.revision, doc: order() },
      },
      expect.objectContaining({ topic: 'orders', key: replayId(rejections[2]?._id as string, namespace) }),
    ]);
    expect(rechecks).toEqual([
      { rechecks: [{ id: rejections[1]?._id, errors: [{ field: 'lines[0].quantity', reason: expect.any(String) }] }], revision: orders.revision, at: expect.any(Date) },
    ]);
  });

  it('stores nothing new the second time: what is stored already is skipped and counted', async () => {
    const { mongo, kafka, produced } = stores(rejections);
    await replayRejected(orders, window, { mongo, kafka });
    produced.length = 0;
    expect(await replayRejected(orders, window, { mongo, kafka })).toEqual({ examined: 3, replayed: 0, alreadyStored: 2, stillRejected: 1 });
    expect(produced.flatMap((p) => p.records)).toEqual([]);
  });
});
