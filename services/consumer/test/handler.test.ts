import type { ConsumedRecord } from '@docpipe/kafka';
import type { Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { DeadLetterSource, PoisonRecord } from '../src/deadletters.js';
import { createChunkHandler } from '../src/handler.js';
import { createMetrics } from '../src/metrics.js';
import type { WriteSummary } from '../src/store.js';
import { registryOf, repositoryPipeline } from './pipelines.js';
import { sampleInvoice } from '@docpipe/testing';

const invoice = sampleInvoice({ InvoiceNo: 'C536379' });
const owner = '0b5c6f3e-8d1e-4f57-9a4c-3a1f8c2b7d10';
const receivedAt = '2026-11-25T10:00:00.000Z';

let offset = 0;
const record = (value: unknown): ConsumedRecord => ({
  key: `k${offset}`,
  value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  offset: String(offset++),
});

/** A store that answers from a function per call, and remembers what it was given. */
function fakeStore(answer: (collection: string, docs: readonly Document[], call: number) => WriteSummary | Promise<WriteSummary>) {
  const calls: { collection: string; docs: readonly Document[] }[] = [];
  return {
    calls,
    insertAll: async (collection: string, docs: readonly Document[], _signal: AbortSignal) => {
      calls.push({ collection, docs });
      return answer(collection, docs, calls.length);
    },
  };
}

function fakeDeadLetters() {
  const sent: { topic: string; source: DeadLetterSource; poison: readonly PoisonRecord[] }[] = [];
  return {
    sent,
    send: async (topic: string, source: DeadLetterSource, poison: readonly PoisonRecord[]) => void sent.push({ topic, source, poison }),
  };
}

const registry = registryOf(repositoryPipeline('invoices'));
const noHeartbeat = async () => {};

describe('chunk handler', () => {
  it('stores transformed documents and dead-letters the records that cannot be decoded, in offset order', async () => {
    const store = fakeStore((_, docs) => ({ inserted: docs.length, duplicates: 0, rejected: [] }));
    const deadLetters = fakeDeadLetters();
    const handle = createChunkHandler({ registry, store, deadLetters, metrics: createMetrics(), stopSignal: new AbortController().signal });
    const good = record({ id: 'doc-1', owner, receivedAt, doc: invoice });
    const notJson = record('{"id": "doc-2", owne');
    const invalid = record({ id: 'doc-3', owner, receivedAt, doc: { ...invoice, Quantity: 'six' } });
    const empty = record(null);
    await handle({ topic: 'documents', partition: 4, records: [good, notJson, invalid, empty] }, noHeartbeat);

    expect(store.calls).toHaveLength(1);
    expect(store.calls[0]?.collection).toBe('documents');
    expect(store.calls[0]?.docs).toEqual([
      expect.objectContaining({ _id: 'doc-1', owner, InvoiceDate: new Date('2010-12-01T08:26:00Z'), total: 15.3, cancelled: true, Quantity: 6 }),
    ]);
    expect(deadLetters.sent).toHaveLength(1);
    expect(deadLetters.sent[0]?.source).toMatchObject({ topic: 'documents', partition: 4 });
    expect(deadLetters.sent[0]?.topic).toBe('documents.dlq');
    expect(deadLetters.sent[0]?.poison.map((p) => [p.record.offset, p.reason])).toEqual([
      [notJson.offset, 'record value is not JSON'],
      [invalid.offset, expect.stringContaining('document doc-3 is invalid')],
      [empty.offset, 'record has no value'],
    ]);
  });

  it('dead-letters a document the store refuses, and sends nothing to the dead-letter path otherwise', async () => {
    const store = fakeStore((_, docs) => ({ inserted: docs.length - 1, duplicates: 0, rejected: [{ index: 1, reason: 'BSONObjectTooLarge (10334): too large' }] }));
    const deadLetters = fakeDeadLetters();
    const handle = createChunkHandler({ registry, store, deadLetters, metrics: createMetrics(), stopSignal: new AbortController().signal });
    const records = ['a', 'b', 'c'].map((id) => record({ id, owner, receivedAt, doc: invoice }));
    await handle({ topic: 'documents', partition: 0, records }, noHeartbeat);
    expect(deadLetters.sent[0]?.poison).toEqual([{ record: records[1], reason: 'BSONObjectTooLarge (10334): too large' }]);
  });

  it('stores a refused rejection again with its JSON as raw text before dead-lettering it', async () => {
    const store = fakeStore((_, docs, call) =>
      call === 1
        ? { inserted: 1, duplicates: 0, rejected: [{ index: 0, reason: 'BadValue (2): invalid key "$where"' }, { index: 1, reason: 'BadValue (2): x' }] }
        : { inserted: 1, duplicates: 0, rejected: [] },
    );
    const deadLetters = fakeDeadLetters();
    const handle = createChunkHandler({ registry, store, deadLetters, metrics: createMetrics(), stopSignal: new AbortController().signal });
    const errors = [{ field: '$where', reason: 'forbidden' }];
    const withDoc = record({ id: 'r-1', owner, receivedAt, errors, doc: { $where: 'sleep(1000)' } });
    const withRaw = record({ id: 'r-2', owner, receivedAt, errors, raw: '{not json' });
    const fine = record({ id: 'r-3', owner, receivedAt, errors, doc: {} });
    await handle({ topic: 'documents.rejected', partition: 1, records: [withDoc, withRaw, fine] }, noHeartbeat);

    expect(store.calls.map((c) => c.collection)).toEqual(['rejected', 'rejected']);
    const retried = store.calls[1]?.docs ?? [];
    expect(retried).toEqual([expect.objectContaining({ _id: 'r-1', raw: '{"$where":"sleep(1000)"}', errors })]);
    expect(retried[0]).not.toHaveProperty('doc');
    // r-2 has no doc to turn into text: it is dead-lettered.
    expect(deadLetters.sent[0]?.poison.map((p) => p.record)).toEqual([withRaw]);
  });

  it('throws, leaving the chunk unresolved, when a heartbeat reports a rebalance during a long write', async () => {
    const store = fakeStore(
      (_, _docs) =>
        new Promise<WriteSummary>(() => {
          /* a write that never ends on its own */
        }),
    );
    const handler = createChunkHandler({
      registry,
      store: {
        insertAll: (collection, docs, signal) =>
          Promise.race([
            store.insertAll(collection, docs, signal),
            new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
          ]),
      },
      deadLetters: fakeDeadLetters(),
      metrics: createMetrics(),
      stopSignal: new AbortController().signal,
      heartbeatEveryMs: 5,
    });
    const rebalancing = Object.assign(new Error('The group is rebalancing, so a rejoin is needed'), { type: 'REBALANCE_IN_PROGRESS' });
    let beats = 0;
    const heartbeat = async () => {
      beats += 1;
      if (beats === 3) throw rebalancing;
    };
    await expect(handler({ topic: 'documents', partition: 0, records: [record({ id: 'x', owner, receivedAt, doc: invoice })] }, heartbeat)).rejects.toBe(
      rebalancing,
    );
  });

  it('refuses a topic it has no route for', async () => {
    const handle = createChunkHandler({
      registry,
      store: fakeStore(() => ({ inserted: 0, duplicates: 0, rejected: [] })),
      deadLetters: fakeDeadLetters(),
      metrics: createMetrics(),
      stopSignal: new AbortController().signal,
    });
    await expect(handle({ topic: 'elsewhere', partition: 0, records: [] }, noHeartbeat)).rejects.toThrow('no route for topic elsewhere');
  });
});
