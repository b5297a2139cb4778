import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The stack's DATABASE_URL; integration tests refuse to run (loudly) without it. */
export function stackDatabaseUrl(): string {
  const url = process.env['DATABASE_URL'];
  if (!url) {
    throw new Error(
      'DATABASE_URL is not set: start the local stack and load its env, e.g. ' +
        'DOCPIPE_PROFILE=consumerdev DOCPIPE_PORT_OFFSET=300 scripts/stack/up.sh && eval "$(scripts/stack/env.sh)"',
    );
  }
  return url;
}

export interface TestSchema {
  /** DATABASE_URL whose search_path is this schema only. */
  readonly url: string;
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

/**
 * A throwaway schema per test, so tests start from an empty database without needing the
 * privilege to create databases; the jobs work in whatever schema the connection selects.
 */
export async function createTestSchema(): Promise<TestSchema> {
  const base = stackDatabaseUrl();
  const name = `jobs_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Pool({ connectionString: base, max: 1 });
  await admin.query(`CREATE SCHEMA ${name}`);
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${name}`);
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      await admin.query(`DROP SCHEMA ${name} CASCADE`);
      await admin.end();
    },
  };
}
