import { STATUS_CODES } from 'node:http';
import type { FieldError } from '@docpipe/pipeline';

/** The one shape of every error body the API sends. */
export interface ErrorBody {
  error: string;
  message?: string;
  details?: FieldError[];
  /** The ids the request's documents were sent under, when it is not known whether they were written. */
  ids?: string[];
}

/** An error that already knows its HTTP answer; the error handler sends it as it is. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly statusCode: number;
  readonly details: FieldError[] | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly ids: string[] | undefined;

  constructor(statusCode: number, message: string, options: { details?: FieldError[]; headers?: Record<string, string>; ids?: string[] } = {}) {
    super(message);
    this.statusCode = statusCode;
    this.details = options.details;
    this.headers = options.headers ?? {};
    this.ids = options.ids;
  }

  get body(): ErrorBody {
    return { ...errorBody(this.statusCode, this.message, this.details), ...(this.ids === undefined ? {} : { ids: this.ids }) };
  }
}

export function errorBody(statusCode: number, message?: string, details?: FieldError[]): ErrorBody {
  return {
    error: STATUS_CODES[statusCode] ?? 'Error',
    ...(message === undefined ? {} : { message }),
    ...(details === undefined ? {} : { details }),
  };
}

/** Seconds a client should wait after a 503 before it retries. */
export const RETRY_AFTER_SECONDS = 2;

/** A dependency (Kafka, Postgres, MongoDB, the password hasher) cannot take the request now. */
export function serviceUnavailable(message: string): HttpError {
  return new HttpError(503, message, { headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } });
}

/**
 * Kafka may have written the request's documents but did not confirm it: a 504, distinct from the
 * 503 that means "not written", with the ids they were sent under. Sent again with the same
 * Idempotency-Key, the documents get the same ids and each is stored once; without a key, a
 * retry gets new ids, which is why the message says to look the ids up first.
 */
export function writeOutcomeUnknown(ids: string[], keyed: boolean): HttpError {
  const advice = keyed
    ? 'send the same request again with the same Idempotency-Key: its documents get the same ids, and each is stored once'
    : 'a retry without an Idempotency-Key would store new copies if these were written: look the ids up (GET .../documents/{id}) before sending again, and send an Idempotency-Key with every request to make retries safe';
  return new HttpError(504, `Kafka did not confirm the write in time, so the documents may or may not be stored under the ids listed; ${advice}`, {
    headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
    ids,
  });
}

/** A pipeline that is not served: a 404 that names it and lists those that are. */
export function unknownPipeline(name: string, served: readonly string[]): HttpError {
  return new HttpError(404, `no pipeline named "${name}" is served`, {
    details: [{ field: 'pipeline', reason: served.length > 0 ? `must be one of: ${served.join(', ')}` : 'no pipeline is loaded' }],
  });
}
