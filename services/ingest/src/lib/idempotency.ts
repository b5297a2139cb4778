import type { Pool } from 'pg';
import { HttpError } from './errors.js';

/**
 * Binds an Idempotency-Key to the hash of the first body sent with it. The insert decides under
 * the primary key (owner, key), so two concurrent first uses cannot both win; a later use with
 * the same body passes (its documents get the same ids), with another body it is refused.
 */
export async function claimIdempotencyKey(pg: Pool, owner: string, key: string, requestHash: string): Promise<void> {
  const inserted = await pg.query(
    `INSERT INTO idempotency_keys (owner, key, request_hash, created_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (owner, key) DO NOTHING`,
    [owner, key, requestHash],
  );
  if (inserted.rowCount === 1) return;
  const { rows } = await pg.query<{ request_hash: string }>('SELECT request_hash FROM idempotency_keys WHERE owner = $1 AND key = $2', [
    owner,
    key,
  ]);
  // No row: the key was cleaned up between the two statements; it was free, so claim it again.
  if (rows.length === 0) return claimIdempotencyKey(pg, owner, key, requestHash);
  if (rows[0]?.request_hash !== requestHash) {
    throw new HttpError(422, 'this Idempotency-Key was already used with a different request body; use a new key for a new request');
  }
}
