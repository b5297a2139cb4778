import { createRequire } from 'node:module';
import { MongoBulkWriteError, MongoNetworkError, type BulkWriteResult, type WriteConcernError, type WriteError } from 'mongodb';

/**
 * Errors as the mongodb driver builds them after an unordered insertMany, made with the driver's
 * own classes. The driver exports BulkWriteResult, WriteError and WriteConcernError as types only,
 * so the classes come from the module that defines them (the one MongoBulkWriteError lives in).
 */
const bulk = createRequire(import.meta.url)('mongodb/lib/bulk/common.js') as {
  BulkWriteResult: new (bulkResult: object, isOrdered: boolean) => BulkWriteResult;
  WriteError: new (err: object) => WriteError;
  WriteConcernError: new (err: object) => WriteConcernError;
  MongoBulkWriteError: typeof MongoBulkWriteError;
};
if (bulk.MongoBulkWriteError !== MongoBulkWriteError) throw new Error('mongodb/lib/bulk/common.js is not the module the driver uses');

function bulkResult(count: number, writeErrors: WriteError[], writeConcernErrors: WriteConcernError[] = []) {
  return new bulk.BulkWriteResult(
    {
      ok: 1,
      writeErrors,
      writeConcernErrors,
      insertedIds: Array.from({ length: count }, (_, index) => ({ index, _id: `id-${index}` })),
      nInserted: count - writeErrors.length,
      nUpserted: 0,
      nMatched: 0,
      nModified: 0,
      nRemoved: 0,
      upserted: [],
    },
    false,
  );
}

/** What the driver throws when some documents of the call got a write error. */
export function bulkWriteErrors(count: number, errors: { index: number; code: number; errmsg?: string }[], writeConcern?: { code: number; errmsg: string }) {
  const writeErrors = errors.map((e) => new bulk.WriteError({ index: e.index, code: e.code, errmsg: e.errmsg ?? `error ${e.code}`, op: {} }));
  const wce = writeConcern ? [new bulk.WriteConcernError(writeConcern)] : [];
  const first = writeErrors[0] as WriteError;
  return new MongoBulkWriteError({ message: first.errmsg ?? '', code: first.code, writeErrors }, bulkResult(count, writeErrors, wce));
}

/** What the driver throws when only the write concern failed. */
export function bulkWriteConcernError(count: number, writeConcern: { code: number; errmsg: string }) {
  const wce = new bulk.WriteConcernError(writeConcern);
  return new MongoBulkWriteError(wce, bulkResult(count, [], [wce]));
}

/** What the driver throws when the connection broke during the call. */
export function bulkNetworkError(count: number) {
  return new MongoBulkWriteError(new MongoNetworkError('connection 1 to 127.0.0.1:27018 closed'), bulkResult(count, []));
}
