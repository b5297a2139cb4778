import { createHash } from 'node:crypto';
import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';

/**
 * Namespace of idempotent document ids: v5('https://docpipe/documents', URL namespace). It must
 * never change, or a retry after a deploy would get a new id and be stored twice.
 */
export const DOCUMENT_ID_NAMESPACE = '43b7645d-eb9c-51b2-ba73-8bf85d4ca532';

/**
 * Assigns the ids of one request's documents (docs/architecture.md, "Document ids"): random
 * time-ordered UUIDv7 without an Idempotency-Key; with one, a UUIDv5 of owner:key (single) or
 * owner:key:index (batch), so a retry of the same request gets the same ids.
 */
export function documentIds(owner: string, idempotencyKey: string | undefined): { single(): string; at(index: number): string } {
  if (idempotencyKey === undefined) return { single: () => uuidv7(), at: () => uuidv7() };
  return {
    single: () => uuidv5(`${owner}:${idempotencyKey}`, DOCUMENT_ID_NAMESPACE),
    at: (index) => uuidv5(`${owner}:${idempotencyKey}:${index}`, DOCUMENT_ID_NAMESPACE),
  };
}

export function sha256Hex(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}
