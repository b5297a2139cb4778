import { BSON, MongoBulkWriteError, MongoInvalidArgumentError, MongoServerError, type WriteError } from 'mongodb';

export const DUPLICATE_KEY = 11000;

/**
 * Server codes that describe the document itself: the same document can never be written, so it is
 * poison. Any other code is treated as transient and retried, because skipping a document on a
 * guess would lose it, while a retry only costs time.
 */
const DOCUMENT_ERRORS = new Map<number, string>([
  [2, 'BadValue'],
  [14, 'TypeMismatch'],
  [22, 'InvalidBSON'],
  [52, 'DollarPrefixedFieldName'],
  [53, 'InvalidIdField'],
  [56, 'EmptyFieldName'],
  [57, 'DottedFieldName'],
  [121, 'DocumentValidationFailure'],
  [10334, 'BSONObjectTooLarge'],
  [17280, 'KeyTooLong'],
]);

/** Reasons travel in logs and Kafka headers; a server may echo a whole document into errmsg. */
const MAX_REASON_LENGTH = 500;

export function shortReason(text: string): string {
  return text.length <= MAX_REASON_LENGTH ? text : `${text.slice(0, MAX_REASON_LENGTH)}...`;
}

export interface Poisoned {
  readonly index: number;
  readonly reason: string;
}

/** Where each document of one insertMany call ended up; indexes refer to the documents passed. */
export interface Sorted {
  readonly kind: 'sorted';
  readonly inserted: number;
  readonly duplicates: number;
  readonly poison: readonly Poisoned[];
  readonly retry: readonly number[];
  /** Why `retry` is not empty. */
  readonly retryReason?: string;
}

/** A document-specific failure that names no document: split the call to find it. */
export interface Isolate {
  readonly kind: 'isolate';
  readonly reason: string;
}

export type WriteOutcome = Sorted | Isolate;

export function allInserted(count: number): Sorted {
  return { kind: 'sorted', inserted: count, duplicates: 0, poison: [], retry: [] };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return shortReason(`${error.name}${code === undefined ? '' : ` ${String(code)}`}: ${error.message}`);
  }
  return shortReason(String(error));
}

function sortWriteErrors(error: MongoBulkWriteError, writeErrors: readonly WriteError[], count: number): Sorted {
  const mentioned = new Set<number>();
  const poison: Poisoned[] = [];
  const retry: number[] = [];
  let duplicates = 0;
  let retryReason: string | undefined;
  for (const writeError of writeErrors) {
    mentioned.add(writeError.index);
    const name = DOCUMENT_ERRORS.get(writeError.code);
    if (writeError.code === DUPLICATE_KEY) {
      duplicates += 1;
    } else if (name) {
      poison.push({ index: writeError.index, reason: shortReason(`${name} (${writeError.code}): ${writeError.errmsg ?? ''}`) });
    } else {
      retry.push(writeError.index);
      retryReason ??= shortReason(`write error ${writeError.code}: ${writeError.errmsg ?? ''}`);
    }
  }
  // With a write concern error the other documents were written but not acknowledged as durable:
  // write them again; a copy that did persist then answers "duplicate".
  const writeConcernError = error.result?.getWriteConcernError();
  let inserted = count - mentioned.size;
  if (writeConcernError) {
    for (let index = 0; index < count; index += 1) if (!mentioned.has(index)) retry.push(index);
    inserted = 0;
    retryReason ??= shortReason(`write concern error ${writeConcernError.code}: ${writeConcernError.errmsg}`);
  }
  return { kind: 'sorted', inserted, duplicates, poison, retry, ...(retryReason ? { retryReason } : {}) };
}

/**
 * Sorts the failure of an unordered insertMany of `count` documents into duplicates (already
 * stored, which is success), poison (this document can never be written) and retries (anything
 * else: network, server selection, not primary, shutdown, write concern, unknown codes).
 */
export function classifyWriteError(error: unknown, count: number): WriteOutcome {
  if (error instanceof MongoBulkWriteError) {
    const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    if (writeErrors.length > 0) return sortWriteErrors(error, writeErrors, count);
  }
  // Refused before or without per-document answers: the driver would not serialize a document
  // (a key with a NUL byte, larger than 16 MiB), or the server failed the whole command with a
  // document code. Splitting the call finds the document.
  if (error instanceof MongoInvalidArgumentError || BSON.BSONError.isBSONError(error)) {
    return { kind: 'isolate', reason: describe(error) };
  }
  const writeConcernError = error instanceof MongoBulkWriteError ? error.result?.getWriteConcernError() : undefined;
  if (error instanceof MongoServerError && !writeConcernError && typeof error.code === 'number' && DOCUMENT_ERRORS.has(error.code)) {
    return { kind: 'isolate', reason: describe(error) };
  }
  return { kind: 'sorted', inserted: 0, duplicates: 0, poison: [], retry: Array.from({ length: count }, (_, i) => i), retryReason: describe(error) };
}
