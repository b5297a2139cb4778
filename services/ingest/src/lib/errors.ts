import { STATUS_CODES } from 'node:http';
import type { FieldError } from '@docpipe/pipeline';

/** The one shape of every error body the API sends. */
export interface ErrorBody {
  error: string;
  message?: string;
  details?: FieldError[];
}

/** An error that already knows its HTTP answer; the error handler sends it as it is. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly statusCode: number;
  readonly details: FieldError[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(statusCode: number, message: string, options: { details?: FieldError[]; headers?: Record<string, string> } = {}) {
    super(message);
    this.statusCode = statusCode;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }

  get body(): ErrorBody {
    return errorBody(this.statusCode, this.message, this.details);
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

/** A pipeline that is not served: a 404 that names it and lists those that are. */
export function unknownPipeline(name: string, served: readonly string[]): HttpError {
  return new HttpError(404, `no pipeline named "${name}" is served`, {
    details: [{ field: 'pipeline', reason: served.length > 0 ? `must be one of: ${served.join(', ')}` : 'no pipeline is loaded' }],
  });
}
