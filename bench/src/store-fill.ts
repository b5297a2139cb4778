// The growth phase's generator: it fills a collection of FerretDB on SQLite to a size by writing
// into FerretDB's own file, so a million documents take seconds instead of the minutes that
// insertMany would, and the filling does not dominate the run. The rows are copies of documents
// FerretDB itself stored (so in its own format, which this module never writes by hand) with a
// new random _id each, and an owner of the caller's choice.
import { statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A version 4 UUID from SQLite's random source: the ids ingest gives documents are random too. */
const RANDOM_UUID = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
  || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`;

/** Rows per write transaction: FerretDB's own writes wait for SQLite's lock only so long, so a fill holds it in short steps. */
const ROWS_PER_TRANSACTION = 100_000;

export class StoreFile {
  readonly #db: DatabaseSync;
  readonly #path: string;

  constructor(directory: string, database: string) {
    this.#path = `${directory}${database}.sqlite`;
    this.#db = new DatabaseSync(this.#path);
    this.#db.exec('PRAGMA busy_timeout = 60000');
  }

  close(): void {
    this.#db.close();
  }

  /** The table FerretDB keeps a collection in; the collection must exist (FerretDB makes it at its first write). */
  tableOf(collection: string): string {
    const row = this.#db.prepare('SELECT table_name FROM _ferretdb_collections WHERE name = ?').get(collection);
    if (!row) throw new Error(`FerretDB has no collection ${collection} in ${this.#path}`);
    return String(row['table_name']);
  }

  /**
   * Adds `count` rows to the collection: copies of its first `templates` documents in turn, each
   * with a fresh _id and the given owner. FerretDB's _id index is kept up to date as for any write.
   */
  fill(collection: string, count: number, templates: number, owner: string): void {
    const table = quote(this.tableOf(collection));
    const copy = this.#db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO ${table} (_ferretdb_sjson)
       SELECT json_set(t._ferretdb_sjson, '$._id', ${RANDOM_UUID}, '$.owner', ?)
       FROM n CROSS JOIN (SELECT _ferretdb_sjson FROM ${table} ORDER BY rowid LIMIT ?) AS t LIMIT ?`,
    );
    for (let left = count; left > 0; left -= ROWS_PER_TRANSACTION) {
      const rows = Math.min(left, ROWS_PER_TRANSACTION);
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        copy.run(Math.ceil(rows / templates), owner, templates, rows);
        this.#db.exec('COMMIT');
      } catch (error) {
        this.#db.exec('ROLLBACK');
        throw error;
      }
    }
    this.#checkpoint();
  }

  /**
   * The write-ahead log copied into the database file and emptied, so that no measurement starts
   * with the log of the one before to replay, and the file's size is the collection's.
   */
  #checkpoint(): void {
    this.#db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  }

  /** The collection's last row so far: what removeAfter keeps. */
  mark(collection: string): number {
    return Number(this.#db.prepare(`SELECT coalesce(max(rowid), 0) AS n FROM ${quote(this.tableOf(collection))}`).get()?.['n']);
  }

  /**
   * Removes the rows written since `mark`, so that each measurement of a size starts at that size.
   * FerretDB keeps nothing about a collection's rows besides its table and indexes.
   */
  removeAfter(collection: string, mark: number): void {
    this.#db.prepare(`DELETE FROM ${quote(this.tableOf(collection))} WHERE rowid > ?`).run(mark);
    this.#checkpoint();
  }

  /** Rows in the collection's table, straight from SQLite (FerretDB's count reads every document). */
  count(collection: string): number {
    return Number(this.#db.prepare(`SELECT count(*) AS n FROM ${quote(this.tableOf(collection))}`).get()?.['n']);
  }

  /** `count` _ids of `owner`'s documents, spread over the collection, for lookups of stored documents. */
  sampleIds(collection: string, count: number, owner: string): string[] {
    const table = quote(this.tableOf(collection));
    const rows = this.#db.prepare(`SELECT _ferretdb_sjson->>'$._id' AS id FROM ${table} WHERE rowid % ? = 0 AND _ferretdb_sjson->>'$.owner' = ? LIMIT ?`);
    const ids = rows.all(Math.max(1, Math.floor(this.count(collection) / count)), owner, count).map((r) => String(r['id']));
    if (ids.length === 0) throw new Error(`no document of ${owner} in ${collection}`);
    return ids;
  }

  /** Bytes on disk: the database file and its write-ahead log. */
  bytesOnDisk(): number {
    const size = (path: string) => {
      try {
        return statSync(path).size;
      } catch {
        return 0;
      }
    };
    return size(this.#path) + size(`${this.#path}-wal`);
  }
}
