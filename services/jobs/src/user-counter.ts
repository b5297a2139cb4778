import { randomUUID } from 'node:crypto';
import type { Queryable } from './database.js';

export interface UserCount {
  readonly operationId: string;
  readonly userCount: number;
  readonly countedAt: Date;
}

/** Counts the users and stores the count in one statement, so the stored number is never stale. */
export async function countUsers(db: Queryable): Promise<UserCount> {
  const { rows } = await db.query<{ operation_id: string; user_count: string; counted_at: Date }>(
    `INSERT INTO users_count (operation_id, user_count, counted_at)
     SELECT $1, count(*), now() FROM users
     RETURNING operation_id, user_count, counted_at`,
    [randomUUID()],
  );
  const row = rows[0] as (typeof rows)[number];
  // bigint arrives as text; a user count fits a double exactly.
  return { operationId: row.operation_id, userCount: Number(row.user_count), countedAt: row.counted_at };
}
