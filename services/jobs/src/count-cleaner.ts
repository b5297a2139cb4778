import type { Queryable } from './database.js';

/**
 * The start of a cleaner run by the database clock (the same clock that fills inserted_at), as
 * Postgres text: a JS Date would drop the microseconds.
 */
export async function runStart(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ start: string }>('SELECT clock_timestamp()::text AS start');
  return (rows[0] as { start: string }).start;
}

/** Deletes only rows inserted before `start`; a count stored while the run goes on survives it. */
export async function deleteCountsBefore(db: Queryable, start: string): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM users_count WHERE inserted_at < $1::timestamptz', [start]);
  return rowCount ?? 0;
}

export async function cleanCounts(db: Queryable): Promise<{ start: string; deleted: number }> {
  const start = await runStart(db);
  return { start, deleted: await deleteCountsBefore(db, start) };
}
