import { BSON, MongoNetworkError, type Db, type Document } from 'mongodb';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../src/metrics.js';
import { Store } from '../src/store.js';
import { bulkWriteErrors } from './driver-errors.js';

type Insert = (docs: Document[]) => Promise<unknown>;

/** A Db whose insertMany answers with the scripted results, recording what each call was given. */
function fakeDb(script: Insert[]) {
  const calls: string[][] = [];
  const db = {
    collection: () => ({
      insertMany: async (docs: Document[]) => {
        calls.push(docs.map((d) => String(d['_id'])));
        const next = script.shift();
        if (!next) return { insertedCount: docs.length };
        return next(docs);
      },
    }),
  } as unknown as Db;
  return { db, calls };
}

const docs = (...ids: string[]) => ids.map((_id) => ({ _id }));
const policy = { initialDelayMs: 1, maxDelayMs: 2 };
const logger = pino({ level: 'silent' });

describe('Store.insertAll', () => {
  it('retries only the documents that failed transiently, and counts the retries', async () => {
    const { db, calls } = fakeDb([
      async () => Promise.reject(bulkWriteErrors(4, [{ index: 0, code: 11000 }, { index: 2, code: 91 }])),
      async () => Promise.reject(new MongoNetworkError('connection reset')),
    ]);
    const metrics = createMetrics();
    const summary = await new Store(db, metrics, policy, logger).insertAll('documents', docs('a', 'b', 'c', 'd'), new AbortController().signal);
    expect(calls).toEqual([['a', 'b', 'c', 'd'], ['c'], ['c']]);
    expect(summary).toEqual({ inserted: 3, duplicates: 1, rejected: [] });
    expect((await metrics.writeRetries.get()).values[0]?.value).toBe(2);
    expect((await metrics.stored.get()).values).toEqual([expect.objectContaining({ labels: { collection: 'documents' }, value: 3 })]);
    expect((await metrics.duplicates.get()).values[0]?.value).toBe(1);
  });

  it('reports per-document refusals with the index of the document passed', async () => {
    const { db } = fakeDb([async () => Promise.reject(bulkWriteErrors(3, [{ index: 1, code: 2, errmsg: 'invalid key' }]))]);
    const summary = await new Store(db, createMetrics(), policy, logger).insertAll('rejected', docs('a', 'b', 'c'), new AbortController().signal);
    expect(summary).toEqual({ inserted: 2, duplicates: 0, rejected: [{ index: 1, reason: 'BadValue (2): invalid key' }] });
  });

  it('splits a call the driver refused as a whole until the unserializable document is alone', async () => {
    const refuseBad = async (batch: Document[]) => {
      if (batch.some((d) => d['_id'] === 'bad')) throw new BSON.BSONError('key a\u0000b must not contain null bytes');
      return { insertedCount: batch.length };
    };
    const { db, calls } = fakeDb(Array.from({ length: 10 }, () => refuseBad));
    const summary = await new Store(db, createMetrics(), policy, logger).insertAll('rejected', docs('a', 'b', 'bad', 'c', 'd'), new AbortController().signal);
    expect(summary.inserted).toBe(4);
    expect(summary.rejected).toEqual([{ index: 2, reason: expect.stringContaining('must not contain null bytes') }]);
    expect(calls[0]).toEqual(['a', 'b', 'bad', 'c', 'd']);
    expect(calls).toContainEqual(['bad']);
  });

  it('gives up with the abort reason when stopped during endless failures', async () => {
    const { db } = fakeDb(Array.from({ length: 1000 }, () => async () => Promise.reject(new MongoNetworkError('down'))));
    const stop = new AbortController();
    setTimeout(() => stop.abort(new Error('stop deadline passed')), 50);
    await expect(new Store(db, createMetrics(), policy, logger).insertAll('documents', docs('a'), stop.signal)).rejects.toThrow('stop deadline passed');
  });
});
