import { parseInvoiceDate } from './date.js';
import type { FieldError, Invoice } from './schema.js';
import { validateInvoice } from './validate.js';

/** Value of a record on the `documents` topic. */
export interface DocumentMessage {
  readonly id: string;
  /** User id taken from the token's `sub`, never from the body. */
  readonly owner: string;
  /** ISO-8601 UTC time at which ingest accepted the request. */
  readonly receivedAt: string;
  readonly doc: Invoice;
}

/** Value of a record on the `documents.rejected` topic: what the client sent, and why it was refused. */
export interface RejectedMessage {
  readonly id: string;
  readonly owner: string;
  readonly receivedAt: string;
  readonly errors: readonly FieldError[];
  /** The parsed JSON the client sent, when it was JSON. */
  readonly doc?: unknown;
  /** The raw text of an NDJSON line that was not JSON. */
  readonly raw?: string;
}

/** The shape stored in the `documents` collection. */
export interface StoredDocument extends Omit<Invoice, 'InvoiceDate'> {
  readonly _id: string;
  readonly owner: string;
  readonly InvoiceDate: Date;
  readonly total: number;
  readonly cancelled: boolean;
  readonly ingestedAt: Date;
  readonly storedAt: Date;
}

/** The shape stored in the `rejected` collection. */
export interface StoredRejection {
  readonly _id: string;
  readonly owner: string;
  readonly errors: readonly FieldError[];
  readonly doc?: unknown;
  readonly raw?: string;
  readonly ingestedAt: Date;
  readonly storedAt: Date;
}

/** Thrown for a record that can never be processed; the consumer sends it to the dead-letter topic. */
export class PoisonMessageError extends Error {
  override readonly name = 'PoisonMessageError';
}

function parseObject(value: Buffer | string | null): Record<string, unknown> {
  if (value === null) throw new PoisonMessageError('record has no value');
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString());
  } catch {
    throw new PoisonMessageError('record value is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new PoisonMessageError('record value is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function requireEnvelope(obj: Record<string, unknown>): { id: string; owner: string; receivedAt: Date } {
  const { id, owner, receivedAt } = obj;
  if (typeof id !== 'string' || id.length === 0) throw new PoisonMessageError('envelope has no id');
  if (typeof owner !== 'string' || owner.length === 0) throw new PoisonMessageError('envelope has no owner');
  const received = typeof receivedAt === 'string' ? new Date(receivedAt) : new Date(Number.NaN);
  if (Number.isNaN(received.getTime())) throw new PoisonMessageError('envelope has no valid receivedAt');
  return { id, owner, receivedAt: received };
}

/**
 * Decodes a `documents` record into what the store keeps. Validation runs again because the topic
 * may hold records from producers other than ingest; a record that fails it is poison.
 */
export function toStoredDocument(value: Buffer | string | null, storedAt: Date): StoredDocument {
  const obj = parseObject(value);
  const { id, owner, receivedAt } = requireEnvelope(obj);
  const result = validateInvoice(obj['doc']);
  if (!result.ok) {
    throw new PoisonMessageError(`document ${id} is invalid: ${result.errors.map((e) => `${e.field} ${e.reason}`).join('; ')}`);
  }
  const { InvoiceDate, ...fields } = result.invoice;
  return {
    _id: id,
    owner,
    ...fields,
    InvoiceDate: parseInvoiceDate(InvoiceDate) as Date,
    total: Math.round(fields.Quantity * fields.UnitPrice * 100) / 100,
    cancelled: fields.InvoiceNo.startsWith('C'),
    ingestedAt: receivedAt,
    storedAt,
  };
}

/** Decodes a `documents.rejected` record into what the `rejected` collection keeps. */
export function toStoredRejection(value: Buffer | string | null, storedAt: Date): StoredRejection {
  const obj = parseObject(value);
  const { id, owner, receivedAt } = requireEnvelope(obj);
  if (!Array.isArray(obj['errors'])) throw new PoisonMessageError(`rejection ${id} has no errors`);
  return {
    _id: id,
    owner,
    errors: obj['errors'] as FieldError[],
    ...('doc' in obj ? { doc: obj['doc'] } : {}),
    ...(typeof obj['raw'] === 'string' ? { raw: obj['raw'] } : {}),
    ingestedAt: receivedAt,
    storedAt,
  };
}
