import type { Pool } from 'pg';
import { describe, expect, it } from 'vitest';
import { claimIdempotencyKey, idempotencyRowKey } from '../../src/lib/idempotency.js';

const OWNER = '0190a5f0-0000-7000-8000-000000000001';

/** A stand-in for Postgres: the rows of idempotency_keys, and the statements' parameters. */
function fakePool() {
  const rows = new Map<string, string>();
  const pool = {
    async query(sql: string, [owner, key, hash]: string[]) {
      const id = `${owner}/${key}`;
      if (sql.startsWith('INSERT')) {
        if (rows.has(id)) return { rowCount: 0, rows: [] };
        rows.set(id, hash as string);
        return { rowCount: 1, rows: [] };
      }
      return { rowCount: 1, rows: rows.has(id) ? [{ request_hash: rows.get(id) }] : [] };
    },
  };
  return { pool: pool as unknown as Pool, rows };
}

describe('idempotency keys per pipeline', () => {
  it("keeps the default pipeline's rows as they were, and scopes the others' with a separator no key contains", () => {
    expect(idempotencyRowKey('invoices', 'order-42')).toBe('order-42');
    expect(idempotencyRowKey('orders', 'order-42')).toBe('orders order-42');
    // A key may contain ':' and the pipeline's name, never a space.
    expect(idempotencyRowKey('invoices', 'orders:order-42')).not.toBe(idempotencyRowKey('orders', 'order-42'));
  });

  it('lets one key be used on two pipelines with different bodies, and refuses another body on the same pipeline', async () => {
    const { pool, rows } = fakePool();
    await claimIdempotencyKey(pool, OWNER, 'invoices', 'k', 'hash-a');
    await claimIdempotencyKey(pool, OWNER, 'orders', 'k', 'hash-b');
    await claimIdempotencyKey(pool, OWNER, 'orders', 'k', 'hash-b');
    expect([...rows.keys()]).toEqual([`${OWNER}/k`, `${OWNER}/orders k`]);
    await expect(claimIdempotencyKey(pool, OWNER, 'orders', 'k', 'hash-a')).rejects.toMatchObject({ statusCode: 422 });
  });
});
