import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type pg from 'pg';
import type { Logger } from 'pino';
import { setAppRolePassword } from './app-role.js';

/** Shipped next to dist/ (and src/), so the path holds for the build, the tests and the image. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

export interface MigrateResult {
  readonly applied: readonly string[];
}

export interface MigrateOptions {
  /** The application role (created by a migration) and the password it logs in with. @default - left as it is */
  readonly appRole?: { readonly name: string; readonly password: string } | undefined;
}

/**
 * Applies the pending migrations in one transaction. Concurrent runs (several pods, a CronJob and a
 * developer) queue on node-pg-migrate's advisory lock instead of failing, and each finds the work
 * done by the one before it. Tables go to the connection's current schema (search_path), and the
 * record of applied versions sits next to them in schema_migrations.
 */
export async function migrate(client: pg.ClientBase, logger: Logger, options: MigrateOptions = {}): Promise<MigrateResult> {
  const { rows } = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema');
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('no schema to migrate: the search_path names no existing schema');
  const applied = await runner({
    dbClient: client,
    dir: MIGRATIONS_DIR,
    schema,
    migrationsTable: 'schema_migrations',
    direction: 'up',
    checkOrder: true,
    singleTransaction: true,
    advisoryLockMode: 'wait',
    logger: {
      debug: (msg: string) => logger.debug(msg),
      info: (msg: string) => logger.debug(msg),
      warn: (msg: string) => logger.warn(msg),
      error: (msg: string) => logger.error(msg),
    },
  });
  if (options.appRole) await setAppRolePassword(client, options.appRole.name, options.appRole.password);
  return { applied: applied.map((m) => m.name) };
}
