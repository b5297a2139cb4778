import { DEFAULT_PIPELINE } from '@docpipe/contract';
import type { Pool } from 'pg';
import { HttpError } from './errors.js';

/**
 * The key as its row holds it. The default pipeline's rows keep the bare key they always had;
 * another pipeline's are prefixed with its name and a space, which no Idempotency-Key may contain,
 * so one key used on two pipelines is two rows and never a "different body" conflict.
 */
export function idempotencyRowKey(pipeline: string, key: string): string {
  return pipeline === DEFAULT_PIPELINE ? key : `${pipeline} ${key}`;
}

/**
 * Binds an Idempotency-Key to the hash of the first body sent with it. The insert decides under
 * the primary key (owner, key), so two concurrent first uses cannot both win; a later use with
 * the same body passes (its documents get the same ids), with another body it is refused.
 */
export async function claimIdempotencyKey(pg: Pool, owner: string, pipeline: string, key: string, requestHash: string): Promise<void> {
  const rowKey = idempotencyRowKey(pipeline, key);
  const inserted = await pg.query(
    `INSERT INTO idempotency_keys (owner, key, request_hash, created_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (owner, key) DO NOTHING`,
    [owner, rowKey, requestHash],
  );
  if (inserted.rowCount === 1) return;
  const { rows } = await pg.query<{ request_hash: string }>('SELECT request_hash FROM idempotency_keys WHERE owner = $1 AND key = $2', [
    owner,
    rowKey,
  ]);
  // No row: the key was cleaned up between the two statements; it was free, so claim it again.
  if (rows.length === 0) return claimIdempotencyKey(pg, owner, pipeline, key, requestHash);
  if (rows[0]?.request_hash !== requestHash) {
    throw new HttpError(422, 'this Idempotency-Key was already used with a different request body; use a new key for a new request');
  }
}
