import { createHash } from 'node:crypto';
import pg from 'pg';
import type { StoreConfig } from './config.js';
import { createPool, ExplainedFailure, explainFailure } from './database.js';
import { ensureSqliteLookupIndexes } from './store-indexes-sqlite.js';

/**
 * What FerretDB v1.24 on PostgreSQL runs for findOne({_id}) (docs/store-lookups.md):
 *   SELECT _jsonb FROM "<db>"."<table>" WHERE _jsonb->$1 @> $2      ($1 = '_id', $2 = '"<id>"')
 * Its own _id index is a btree on ((_jsonb->'_id')), which serves `=` but not `@>`, so every lookup
 * is a sequential scan. A GIN index on the same expression serves `@>`: the planner then takes a
 * bitmap index scan. jsonb_path_ops is the smaller of the two GIN operator classes that do.
 * fastupdate off: a bulk load otherwise leaves new entries in the index's pending list, which every
 * lookup reads through until a vacuum merges it (4 ms instead of 1 at 100,000 documents).
 */
export const ID_LOOKUP_INDEX = "gin ((_jsonb -> '_id') jsonb_path_ops) WITH (fastupdate = off)";

/**
 * How pg_get_indexdef prints an index that serves the lookup, whichever GIN operator class and
 * options: one made by hand (as in issue #12) counts as well as ours.
 */
const SERVING_INDEX = String.raw`USING gin \(\(\(_jsonb -> '_id'::text\)\)( jsonb_path_ops)?\)`;

/** FerretDB's table of a database's collections, in the schema named after the database. */
const METADATA_TABLE = '_ferretdb_database_metadata';

const MAX_IDENTIFIER_BYTES = 63;
const SUFFIX = '_id_gin';

/**
 * `<table>_id_gin`, or for a table name too long for that, its first characters and a hash of the
 * whole name, so two long names sharing a prefix still get two indexes. FerretDB's own index
 * names end in `_idx`: they never collide with these.
 */
export function lookupIndexName(table: string): string {
  const plain = `${table}${SUFFIX}`;
  if (Buffer.byteLength(plain) <= MAX_IDENTIFIER_BYTES) return plain;
  const hash = createHash('sha256').update(table).digest('hex').slice(0, 8);
  let prefix = '';
  for (const char of table) {
    if (Buffer.byteLength(`${prefix}${char}_${hash}${SUFFIX}`) > MAX_IDENTIFIER_BYTES) break;
    prefix += char;
  }
  return `${prefix}_${hash}${SUFFIX}`;
}

export interface StoreIndexesResult {
  /** The schema FerretDB keeps the MongoDB database in (the database's name). */
  readonly database: string;
  readonly collections: number;
  /** The collections given their lookup index by this run; empty once every one has it. */
  readonly created: readonly string[];
}

const UNDEFINED_TABLE = '42P01';

/**
 * Gives the table of every collection of MongoDB database `database` an index that serves its
 * {_id} lookups, through the PostgreSQL database FerretDB stores it in. Idempotent: a table that
 * has a valid index serving them (ours or any other) is left alone. FerretDB creates a collection's
 * table at its first write, so a collection created after a run gets its index at the next one.
 * Each table is done in a transaction of its own, under an advisory lock so that concurrent runs
 * take turns on it: a plain CREATE INDEX (not CONCURRENTLY, so a failed build leaves nothing
 * behind) holds that collection's writes for its build only. A collection dropped meanwhile is
 * skipped.
 */
export async function ensureLookupIndexes(client: pg.ClientBase, database: string): Promise<StoreIndexesResult> {
  const schema = pg.escapeIdentifier(database);
  const { rows: found } = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [`${schema}.${METADATA_TABLE}`]);
  // FerretDB has not stored anything in this database yet.
  if (!found[0]?.exists) return { database, collections: 0, created: [] };
  const { rows: collections } = await client.query<{ name: string; table: string }>(
    `SELECT _jsonb->>'_id' AS name, _jsonb->>'table' AS table FROM ${schema}.${METADATA_TABLE} ORDER BY 1`,
  );
  const created: string[] = [];
  for (const { name, table } of collections) {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`docpipe lookup index ${database}.${table}`]);
      const { rowCount: served } = await client.query(
        `SELECT FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname = $1 AND t.relname = $2 AND i.indisvalid AND i.indpred IS NULL AND pg_get_indexdef(i.indexrelid) ~ $3`,
        [database, table, SERVING_INDEX],
      );
      if (!served) {
        await client.query(`CREATE INDEX ${pg.escapeIdentifier(lookupIndexName(table))} ON ${schema}.${pg.escapeIdentifier(table)} USING ${ID_LOOKUP_INDEX}`);
      }
      await client.query('COMMIT');
      if (!served) created.push(name);
    } catch (error) {
      await client.query('ROLLBACK');
      if ((error as { code?: string }).code !== UNDEFINED_TABLE) throw error;
    }
  }
  return { database, collections: collections.length, created };
}

/** The lookup indexes of the store's backend; a failure names the database or folder it was reaching. */
export async function indexStore(store: StoreConfig, applicationName: string): Promise<StoreIndexesResult> {
  if (store.backend === 'sqlite') {
    try {
      return ensureSqliteLookupIndexes(store.directory, store.database);
    } catch (error) {
      throw new ExplainedFailure(`lookup indexes of ${store.database} in ${store.directory}: ${(error as Error).message}`);
    }
  }
  const pool = createPool(store.postgresUrl, applicationName);
  try {
    const client = await pool.connect();
    try {
      return await ensureLookupIndexes(client, store.database);
    } finally {
      client.release();
    }
  } catch (error) {
    throw new ExplainedFailure(`lookup indexes of ${store.database}: ${explainFailure(error, store.postgresUrl)}`);
  } finally {
    await pool.end();
  }
}
