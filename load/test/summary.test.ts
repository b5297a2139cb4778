import { describe, expect, it } from 'vitest';
import type { StorageWait } from '../client/storage.ts';
import { DurationRecorder } from '../client/stats.ts';
import { summarize, type SendResult, type Summary } from '../client/summary.ts';
import { Tally } from '../client/tally.ts';
import { invoices, type GeneratedDocument } from '../data/index.ts';

const valid: GeneratedDocument = { doc: {}, defect: null };
const noCustomer: GeneratedDocument = { doc: {}, defect: 'null_customer' };
const badDate: GeneratedDocument = { doc: {}, defect: 'bad_date' };
const nullCustomer = [{ field: 'CustomerID', reason: 'must not be null' }];
const target: Summary['target'] = { url: 'http://x', pipeline: 'invoices', documentsPath: '/v1/documents', count: 0, concurrency: 1, rate: null, batchSize: 1, seed: 1, defects: invoices.defaultDefects, idempotency: false };

const sendResult = (tally: Tally, elapsedMs = 2000): SendResult => ({ tally, latency: new DurationRecorder(), requests: 1, elapsedMs, firstRequestAt: 1_000_000 });
const stored = (ids: number, lastStoredAt: number, missing: string[] = []): StorageWait => ({
  stored: ids, missing, lastStoredAt, lag: new DurationRecorder(), pollErrors: 0, waitedMs: 1000,
});

describe('Tally', () => {
  it('checks single answers against the generator', () => {
    const tally = new Tally(invoices.rejections);
    tally.single(valid, { status: 202, body: { id: 'a' } });
    tally.single(noCustomer, { status: 422, body: { details: nullCustomer } });
    tally.single(badDate, { status: 422, body: { details: nullCustomer } });
    tally.single(noCustomer, { status: 202, body: { id: 'b' } });
    tally.single(valid, { status: 503, body: { error: 'Service Unavailable' } });
    tally.single(valid, { status: 202, body: {} });
    expect(tally).toMatchObject({ accepted: 2, acceptedInvalid: 1, rejected: 2, rejectedExpected: 1, failed: 2, ids: ['a', 'b'] });
    expect(tally.reasons()).toEqual([
      { field: 'CustomerID', reason: 'must not be null', expected: true, count: 1 },
      { field: 'CustomerID', reason: 'must not be null', expected: false, count: 1 },
    ]);
    expect(tally.errors()).toEqual([
      { kind: 'HTTP 503', count: 1 },
      { kind: 'accepted without an id', count: 1 },
    ]);
  });

  it('reads batch results by index and fails the documents a batch answer leaves out', () => {
    const tally = new Tally(invoices.rejections);
    tally.batch([valid, noCustomer, valid], {
      status: 202,
      body: { results: [{ index: 1, errors: nullCustomer }, { index: 0, id: 'a' }] },
    });
    tally.batch([valid, valid], { status: 413, body: { error: 'Payload Too Large' } });
    expect(tally).toMatchObject({ accepted: 1, rejected: 1, rejectedExpected: 1, failed: 3, ids: ['a'] });
    expect(tally.errors()).toEqual([
      { kind: 'HTTP 413', count: 2 },
      { kind: 'batch answer without a result', count: 1 },
    ]);
  });
});

describe('summarize', () => {
  it('is ok when every answer was expected and every accepted document was stored', () => {
    const tally = new Tally(invoices.rejections);
    for (let i = 0; i < 30; i += 1) tally.single(valid, { status: 202, body: { id: `id-${i}` } });
    for (let i = 0; i < 10; i += 1) tally.single(noCustomer, { status: 422, body: { details: nullCustomer } });
    const summary = summarize(target, sendResult(tally), stored(30, 1_000_000 + 3000));
    expect(summary).toMatchObject({
      sent: 40, accepted: 30, acceptedPerSecond: 15, duplicateIds: 0,
      rejected: { total: 10, expected: 10, unexpected: 0 },
      errors: { total: 0, byKind: [] },
      storage: { stored: 30, missing: 0, spanMs: 3000, storedPerSecond: 10 },
      problems: [], ok: true,
    });
  });

  it('lists every problem', () => {
    const tally = new Tally(invoices.rejections);
    tally.single(valid, { status: 202, body: { id: 'same' } });
    tally.single(valid, { status: 202, body: { id: 'same' } });
    tally.single(badDate, { status: 202, body: { id: 'other' } });
    tally.single(valid, { status: 422, body: { details: nullCustomer } });
    tally.fail(2, 'ECONNRESET');
    const summary = summarize(target, sendResult(tally), stored(1, 1_000_500, ['other']));
    expect(summary.ok).toBe(false);
    expect(summary.duplicateIds).toBe(1);
    expect(summary.problems).toEqual([
      '2 documents failed (ECONNRESET ×2)',
      "1 rejections differ from the generator's expectation",
      '1 documents with a defect were accepted',
      '1 ids were returned more than once',
      '1 accepted documents were not stored after 1 s',
    ]);
  });

  it('leaves storage out with --no-wait', () => {
    const summary = summarize(target, sendResult(new Tally(invoices.rejections), 0), null);
    expect(summary).toMatchObject({ storage: null, acceptedPerSecond: 0, ok: true });
  });
});
