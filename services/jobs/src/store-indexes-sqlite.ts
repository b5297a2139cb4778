import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { StoreIndexesResult } from './store-indexes.js';

/**
 * What FerretDB v1.24 on SQLite compares for findOne({_id}), and for updates and deletes by _id
 * (backends/sqlite, metadata.IDColumn): `WHERE _ferretdb_sjson->'$._id' = ?`. Its own unique _id
 * index is on `_ferretdb_sjson->"_id"`, which holds the same values, but SQLite uses an expression
 * index only for the same expression, so each of those reads the whole table.
 */
export const ID_EXPRESSION = "_ferretdb_sjson->'$._id'";

/** FerretDB names a collection's index `<table>_<index>`, and the _id index is `_id_`. */
export const idIndexName = (table: string) => `${table}__id_`;

/** A swap is rare and may queue behind a stream of FerretDB's writes, so it waits for the lock longer than they do. */
const BUSY_TIMEOUT_MS = 60_000;

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Whether SQLite's planner answers FerretDB's lookup on `table` from an index, whichever one. */
function lookupUsesIndex(db: DatabaseSync, table: string): boolean {
  const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM ${quote(table)} WHERE ${ID_EXPRESSION} = ?`).all('""');
  return plan.some((step) => /\bUSING (COVERING )?INDEX\b/.test(String(step['detail'])));
}

/**
 * Gives every collection of MongoDB database `database`, in FerretDB's SQLite files under
 * `directory`, an _id index that its lookups use. FerretDB's own _id index is replaced, in one
 * transaction, by a unique index of the same name on the expression the lookups compare, rather
 * than joined by a second index: duplicates still fail as SQLITE_CONSTRAINT_UNIQUE (FerretDB's
 * E11000, whichever index raises it), FerretDB's metadata names the index and not its expression,
 * and every write still maintains one index. Idempotent: a collection whose lookup already uses an
 * index (this one, or one made by hand) is left alone; concurrent runs take turns on the write lock
 * and the second finds the work done. FerretDB creates a collection's table at its first write, so
 * a collection created after a run gets its index at the next one.
 */
export function ensureSqliteLookupIndexes(directory: string, database: string): StoreIndexesResult {
  const file = `${directory}${database}.sqlite`;
  // Opening a file that is not there would create it: FerretDB has stored nothing in this database.
  if (!existsSync(file)) return { database, collections: 0, created: [] };
  const db = new DatabaseSync(file);
  try {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const metadata = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_ferretdb_collections'").get();
    if (!metadata) return { database, collections: 0, created: [] };
    const collections = db.prepare('SELECT name, table_name FROM _ferretdb_collections ORDER BY name').all() as { name: string; table_name: string }[];
    const created: string[] = [];
    for (const { name, table_name: table } of collections) {
      db.exec('BEGIN IMMEDIATE');
      try {
        const own = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ? AND tbl_name = ?").get(idIndexName(table), table);
        // No _id index of FerretDB's: a collection being dropped, or one it did not make.
        if (own && !lookupUsesIndex(db, table)) {
          db.exec(`DROP INDEX ${quote(idIndexName(table))}`);
          db.exec(`CREATE UNIQUE INDEX ${quote(idIndexName(table))} ON ${quote(table)} (${ID_EXPRESSION})`);
          created.push(name);
        }
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    }
    return { database, collections: collections.length, created };
  } finally {
    db.close();
  }
}
