import { createHash, randomFillSync } from 'node:crypto';
import { DEFAULT_PIPELINE, DOCUMENT_ID_NAMESPACE } from '@docpipe/contract';
import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';


/** Random bytes for this many ids are drawn from the CSPRNG at once. */
const POOLED_IDS = 256;
const pool = new Uint8Array(16 * POOLED_IDS);
let poolOffset = pool.length;
/** The last id's time and counter: ids of one millisecond still sort in the order they were made. */
const state = { msecs: -Infinity, seq: 0 };

/**
 * A random UUIDv7, time-ordered within this process like uuid's v7(). uuid's v7() draws 16 random
 * bytes from the CSPRNG for every id (crypto.getRandomValues: 4 % of ingest's CPU on single
 * documents, 9 % on batches); here they come from a pool refilled 256 ids at a time, as
 * crypto.randomUUID() does. Every id still takes 16 bytes of its own: none is ever reused. The
 * counter logic is uuid's (RFC 9562 §6.2, method 1), which it applies only when it owns the state.
 */
export function newUuidV7(): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const random = pool.subarray(poolOffset, (poolOffset += 16));
  const now = Date.now();
  if (now > state.msecs) {
    // A fresh 31-bit counter seeded from the random bytes, as uuid does at each new millisecond.
    state.seq = (((random[6] as number) & 0x7f) << 24) | ((random[7] as number) << 16) | ((random[8] as number) << 8) | (random[9] as number);
    state.msecs = now;
  } else {
    state.seq = (state.seq + 1) | 0;
    // Counter overflow: borrow the next millisecond rather than repeat or go backwards.
    if (state.seq === 0) state.msecs += 1;
  }
  return uuidv7({ random, msecs: state.msecs, seq: state.seq });
}

const namespaces = new Map<string, string>([[DEFAULT_PIPELINE, DOCUMENT_ID_NAMESPACE]]);

/**
 * The namespace of a pipeline's idempotent ids. The default pipeline keeps DOCUMENT_ID_NAMESPACE,
 * so its ids are those it always had; every other pipeline gets one of its own, so the same
 * Idempotency-Key sent to two pipelines gives two ids.
 */
export function pipelineNamespace(pipeline: string): string {
  let namespace = namespaces.get(pipeline);
  if (namespace === undefined) {
    namespace = uuidv5(`pipeline:${pipeline}`, DOCUMENT_ID_NAMESPACE);
    namespaces.set(pipeline, namespace);
  }
  return namespace;
}

/**
 * Assigns the ids of one request's documents (docs/architecture.md, "Document ids"): random
 * time-ordered UUIDv7 without an Idempotency-Key; with one, a UUIDv5 of owner:key (single) or
 * owner:key:index (batch), so a retry of the same request gets the same ids.
 */
export function documentIds(
  owner: string,
  idempotencyKey: string | undefined,
  namespace = DOCUMENT_ID_NAMESPACE,
): { single(): string; at(index: number): string } {
  if (idempotencyKey === undefined) return { single: newUuidV7, at: newUuidV7 };
  return {
    single: () => uuidv5(`${owner}:${idempotencyKey}`, namespace),
    at: (index) => uuidv5(`${owner}:${idempotencyKey}:${index}`, namespace),
  };
}

/**
 * The id a replayed rejection is stored under: derived from the rejection, so replaying it again
 * produces the same id and the store keeps one copy. Client ids start with a user id, never with
 * `replay:`, so the two cannot meet.
 */
export function replayId(rejectedId: string, namespace: string): string {
  return uuidv5(`replay:${rejectedId}`, namespace);
}

export function sha256Hex(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}
