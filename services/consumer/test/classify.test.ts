import {
  BSON,
  MongoClient,
  MongoInvalidArgumentError,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoServerError,
  MongoServerSelectionError,
  MongoWriteConcernError,
} from 'mongodb';
import { describe, expect, it } from 'vitest';
import { allInserted, classifyWriteError, type Sorted } from '../src/classify.js';
import { bulkNetworkError, bulkWriteConcernError, bulkWriteErrors } from './driver-errors.js';

const all = (count: number) => Array.from({ length: count }, (_, i) => i);

describe('classifyWriteError: per-document write errors', () => {
  it('counts duplicate keys (11000) as already stored and the rest as inserted', () => {
    const outcome = classifyWriteError(bulkWriteErrors(5, [{ index: 1, code: 11000 }, { index: 3, code: 11000 }]), 5);
    expect(outcome).toEqual({ kind: 'sorted', inserted: 3, duplicates: 2, poison: [], retry: [] });
  });

  it.each([
    [2, 'BadValue', 'invalid key: "$where" (key must not start with \'$\' sign)'],
    [121, 'DocumentValidationFailure', 'Document failed validation'],
    [10334, 'BSONObjectTooLarge', 'object to insert too large'],
    [57, 'DottedFieldName', 'a.b'],
  ])('makes a document poison when its own content is refused (code %i)', (code, name, errmsg) => {
    const outcome = classifyWriteError(bulkWriteErrors(3, [{ index: 2, code, errmsg }]), 3) as Sorted;
    expect(outcome.poison).toEqual([{ index: 2, reason: `${name} (${code}): ${errmsg}` }]);
    expect(outcome).toMatchObject({ inserted: 2, duplicates: 0, retry: [] });
  });

  it.each([
    [91, 'ShutdownInProgress'],
    [10107, 'NotWritablePrimary'],
    [11600, 'InterruptedAtShutdown'],
    [1, 'an unknown code'],
  ])('retries only the document whose write error is not about its content (code %i, %s)', (code) => {
    const outcome = classifyWriteError(bulkWriteErrors(4, [{ index: 0, code: 11000 }, { index: 2, code }]), 4) as Sorted;
    expect(outcome).toMatchObject({ inserted: 2, duplicates: 1, poison: [], retry: [2] });
    expect(outcome.retryReason).toContain(`write error ${code}`);
  });

  it('writes every unrefused document again when a write concern error came along', () => {
    const error = bulkWriteErrors(4, [{ index: 1, code: 11000 }, { index: 2, code: 2 }], { code: 64, errmsg: 'waiting for replication timed out' });
    const outcome = classifyWriteError(error, 4) as Sorted;
    expect(outcome).toMatchObject({ inserted: 0, duplicates: 1, retry: [0, 3] });
    expect(outcome.poison.map((p) => p.index)).toEqual([2]);
  });

  it('keeps reasons short even when the server echoes a whole document', () => {
    const outcome = classifyWriteError(bulkWriteErrors(1, [{ index: 0, code: 2, errmsg: `invalid value: ${'['.repeat(5000)}` }]), 1) as Sorted;
    expect(outcome.poison[0]?.reason.length).toBeLessThanOrEqual(503);
  });
});

describe('classifyWriteError: failures of the whole call', () => {
  const transient = [
    ['a broken connection mid-bulk', bulkNetworkError(3)],
    ['a write concern error alone', bulkWriteConcernError(3, { code: 64, errmsg: 'waiting for replication timed out' })],
    ['a network error', new MongoNetworkError('connect ECONNREFUSED 127.0.0.1:27018')],
    ['a network timeout', new MongoNetworkTimeoutError('timed out')],
    ['not primary', new MongoServerError({ code: 10107, errmsg: 'not primary', ok: 0 })],
    ['shutdown in progress', new MongoServerError({ code: 91, errmsg: 'The server is in quiesce mode and will shut down', ok: 0 })],
    ['a write concern failure', new MongoWriteConcernError({ writeConcernError: { code: 64, errmsg: 'timeout' } } as never)],
    ['something unknown', new Error('unexpected')],
  ] as const;

  it.each(transient)('retries every document after %s', (_, error) => {
    const outcome = classifyWriteError(error, 3) as Sorted;
    expect(outcome).toMatchObject({ kind: 'sorted', inserted: 0, duplicates: 0, poison: [], retry: all(3) });
    expect(outcome.retryReason).toBeTruthy();
  });

  it('retries every document when no server can be selected (a real driver error, port 1 is closed)', async () => {
    const client = new MongoClient('mongodb://127.0.0.1:1/', { serverSelectionTimeoutMS: 200 });
    const error = await client
      .db('docpipe')
      .collection('documents')
      .insertMany([{ _id: 'a' as never }], { ordered: false })
      .catch((e: unknown) => e);
    await client.close();
    expect(error).toBeInstanceOf(MongoServerSelectionError);
    expect(classifyWriteError(error, 2)).toMatchObject({ retry: [0, 1], poison: [], duplicates: 0 });
  });

  it.each([
    ['a document too large to serialize', new MongoInvalidArgumentError('Document is larger than the maximum size 16777216')],
    ['a key BSON cannot hold', new BSON.BSONError('key a\u0000b must not contain null bytes')],
    ['a command refused for a document code', new MongoServerError({ code: 2, errmsg: 'invalid value', ok: 0 })],
  ])('asks to split the call to find the document behind %s', (_, error) => {
    expect(classifyWriteError(error, 8)).toMatchObject({ kind: 'isolate' });
  });
});

describe('allInserted', () => {
  it('says every document was inserted', () => {
    expect(allInserted(4)).toEqual({ kind: 'sorted', inserted: 4, duplicates: 0, poison: [], retry: [] });
  });
});
