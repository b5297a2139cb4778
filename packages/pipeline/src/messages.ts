import type { CompiledPipeline } from './compile/pipeline.js';
import type { FieldError } from './reasons.js';

/** Value of a record on a pipeline's documents topic. */
export interface DocumentMessage {
  readonly id: string;
  /** User id taken from the token's `sub`, never from the body. */
  readonly owner: string;
  /** ISO-8601 UTC time at which ingest accepted the request. */
  readonly receivedAt: string;
  readonly pipeline: string;
  /** Revision of the spec whose schema validated the document. */
  readonly revision: string;
  /** The validated document exactly as the client sent it. */
  readonly doc: Record<string, unknown>;
}

/** Value of a record on a pipeline's rejected topic: what the client sent, and why it was refused. */
export interface RejectedMessage {
  readonly id: string;
  readonly owner: string;
  readonly receivedAt: string;
  readonly pipeline: string;
  readonly revision: string;
  readonly errors: readonly FieldError[];
  /** The parsed JSON the client sent, when it was JSON. */
  readonly doc?: unknown;
  /** The text as sent, when it was never parsed: an NDJSON line that is not JSON, or a document refused for its text. */
  readonly raw?: string;
}

/** The revision recorded for records written before specs had revisions. */
export const UNKNOWN_REVISION = 'unknown';

/** What every stored document and rejection says of where it came from. */
export interface Provenance {
  readonly _id: string;
  readonly owner: string;
  readonly pipeline: string;
  /** Revision of the spec that validated it; `unknown` on records older than pipelines. */
  readonly validatedBy: string;
  readonly ingestedAt: Date;
  readonly storedAt: Date;
}

/** A stored document: the client's fields, the transform's fields, and its provenance. */
export type StoredDocument = Provenance & { readonly transformedBy: string } & Record<string, unknown>;

export interface StoredRejection extends Provenance {
  readonly errors: readonly FieldError[];
  readonly doc?: unknown;
  readonly raw?: string;
  /**
   * Set when `raw` holds bytes that are not UTF-8 (an inbox record: HTTP refuses such a body), which
   * no string holds as they are: `raw` is then their base64, so that none of them is lost.
   */
  readonly rawEncoding?: 'base64';
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

function provenance(obj: Record<string, unknown>, pipeline: CompiledPipeline, storedAt: Date): Provenance {
  const { id, owner, receivedAt, revision } = obj;
  if (typeof id !== 'string' || id.length === 0) throw new PoisonMessageError('envelope has no id');
  if (typeof owner !== 'string' || owner.length === 0) throw new PoisonMessageError('envelope has no owner');
  const received = typeof receivedAt === 'string' ? new Date(receivedAt) : new Date(Number.NaN);
  if (Number.isNaN(received.getTime())) throw new PoisonMessageError('envelope has no valid receivedAt');
  return {
    _id: id,
    owner,
    pipeline: pipeline.name,
    // Always set, so that a document field of that name can never pose as provenance.
    validatedBy: typeof revision === 'string' ? revision : UNKNOWN_REVISION,
    ingestedAt: received,
    storedAt,
  };
}

/**
 * The stored form of a valid document: its fields, the transform's fields over them, and its
 * provenance last, so that no field of a document can pose as its id or owner.
 */
export function storedForm(pipeline: CompiledPipeline, doc: Record<string, unknown>, origin: Provenance): StoredDocument {
  return { ...doc, ...pipeline.transform(doc), ...origin, transformedBy: pipeline.revision };
}

/**
 * Decodes a documents record into what the store keeps, transformed by `pipeline` (the current
 * generation). The document is validated again, because nothing unvalidated may be stored, but by
 * the generation that ingest validated it with when this process still knows it (`generationOf`):
 * a newer schema must not turn documents accepted just before a switch into poison.
 */
export function toStoredDocument(
  pipeline: CompiledPipeline,
  value: Buffer | string | null,
  storedAt: Date,
  generationOf: (revision: string) => CompiledPipeline | undefined = () => undefined,
): StoredDocument {
  const obj = parseObject(value);
  const origin = provenance(obj, pipeline, storedAt);
  const validator = generationOf(origin.validatedBy) ?? pipeline;
  const result = validator.validate(obj['doc']);
  if (!result.ok) {
    throw new PoisonMessageError(`document ${origin._id} is invalid: ${result.errors.map((e) => `${e.field} ${e.reason}`).join('; ')}`);
  }
  return storedForm(pipeline, result.doc, origin);
}

/** Decodes a rejected record into what the rejected collection keeps. */
export function toStoredRejection(pipeline: CompiledPipeline, value: Buffer | string | null, storedAt: Date): StoredRejection {
  const obj = parseObject(value);
  const origin = provenance(obj, pipeline, storedAt);
  if (!Array.isArray(obj['errors'])) throw new PoisonMessageError(`rejection ${origin._id} has no errors`);
  return {
    ...origin,
    errors: obj['errors'] as FieldError[],
    ...('doc' in obj ? { doc: obj['doc'] } : {}),
    ...(typeof obj['raw'] === 'string' ? { raw: obj['raw'] } : {}),
  };
}
