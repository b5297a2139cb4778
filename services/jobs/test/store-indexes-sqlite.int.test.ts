// The lookup index of FerretDB on SQLite (docs/store-lookups.md): without it findOne({_id}) scans
// the collection's table, with it SQLite searches FerretDB's _id index, rebuilt on the expression
// that FerretDB's queries compare.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DatabaseSync } from 'node:sqlite';
import { MongoBulkWriteError, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ID_EXPRESSION, idIndexName } from '../src/store-indexes-sqlite.js';
import { databasePerTest, ferretOnSqlite, type FerretOnSqlite } from './ferretdb.js';
import { createTestSchema } from './postgres-fixture.js';
import { runJobs } from './run-cli.js';

const JOBS_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

let ferret: FerretOnSqlite;
let client: MongoClient;
beforeAll(async () => {
  ferret = await ferretOnSqlite();
  client = new MongoClient(ferret.mongoUri);
}, 60_000);
afterAll(async () => {
  await client?.close();
  await ferret?.stop();
});

const each = databasePerTest(() => client);

const storeEnv = () => ({ DATABASE_URL: process.env['DATABASE_URL'] as string, FERRETDB_SQLITE_URL: ferret.sqliteUrl, MONGODB_DATABASE: each.name });
const lastLine = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) as string) as { created: string[]; collections: number };

/** SQLite's plan for FerretDB's lookup, as FerretDB's explain reports it: one line per step. */
async function lookupPlan(collection: string, id: string): Promise<string> {
  const explained = await each.db.command({ explain: { find: collection, filter: { _id: id }, limit: 1, singleBatch: true }, verbosity: 'queryPlanner' });
  expect(explained['filterPushdown'], 'FerretDB pushes {_id} down').toBe(true);
  return ((explained['queryPlanner'] as { Plan: string[] }).Plan).join('\n');
}

/**
 * The plan once FerretDB's connection has seen the new schema. A statement that reads notices a
 * schema changed by another process and is prepared again, but EXPLAIN QUERY PLAN reads nothing:
 * on a connection that has run no query since the swap it still shows the plan of the old schema.
 * So each try makes a lookup first, and the explain that follows shares its connection unless
 * FerretDB's pool hands it another one.
 */
async function planAfterLookups(collection: string, id: string, expected: string): Promise<string> {
  let plan = '';
  for (let attempt = 0; attempt < 10 && !plan.includes(expected); attempt += 1) {
    await each.db.collection<{ _id: string }>(collection).findOne({ _id: id });
    plan = await lookupPlan(collection, id);
  }
  return plan;
}

/** Reads FerretDB's file beside it: the table of a collection, and the SQL of each of its indexes. */
function catalog(collection: string): { table: string; indexes: Record<string, string> } {
  const file = new DatabaseSync(`${ferret.directory}${each.name}.sqlite`, { readOnly: true });
  try {
    const { table_name: table } = file.prepare('SELECT table_name FROM _ferretdb_collections WHERE name = ?').get(collection) as { table_name: string };
    const rows = file.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL").all(table) as { name: string; sql: string }[];
    return { table, indexes: Object.fromEntries(rows.map((r) => [r.name, r.sql])) };
  } finally {
    file.close();
  }
}

describe('store-indexes on FerretDB on SQLite', () => {
  it("turns the scan of a lookup by _id into a search of FerretDB's _id index", async () => {
    const ids = await each.fill('documents', 3000);
    const id = ids[1234] as string;
    const { table } = catalog('documents');
    expect(await lookupPlan('documents', id)).toMatch(new RegExp(`SCAN ${table}$`, 'm'));

    const result = await runJobs(['store-indexes'], storeEnv());
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`"database":"${each.name}","collections":1,"created":["documents"]`);

    const search = `SEARCH ${table} USING INDEX ${idIndexName(table)}`;
    expect(await planAfterLookups('documents', id, search)).toContain(search);
    // One index still: FerretDB's, on the expression its queries compare.
    expect(catalog('documents').indexes).toEqual({ [idIndexName(table)]: `CREATE UNIQUE INDEX "${idIndexName(table)}" ON "${table}" (${ID_EXPRESSION})` });
    const documents = each.db.collection<{ _id: string }>('documents');
    expect(await documents.findOne({ _id: id })).toMatchObject({ _id: id });
    expect(await documents.findOne({ _id: randomUUID() })).toBeNull();
  });

  it('keeps what FerretDB promises of _id: a duplicate is E11000 and the rest is stored, listIndexes is as before', async () => {
    const ids = await each.fill('documents', 100);
    const before = await each.db.collection('documents').listIndexes().toArray();
    expect((await runJobs(['store-indexes'], storeEnv())).code).toBe(0);

    const documents = each.db.collection<{ _id: string; n?: number }>('documents');
    const fresh = randomUUID();
    const error = await documents.insertMany([{ _id: ids[7] as string, n: 1 }, { _id: fresh, n: 2 }], { ordered: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    const bulk = error as MongoBulkWriteError;
    expect(bulk.insertedCount).toBe(1);
    expect((Array.isArray(bulk.writeErrors) ? bulk.writeErrors : [bulk.writeErrors]).map((e) => e.code)).toEqual([11000]);
    expect(await documents.countDocuments()).toBe(101);
    expect(await documents.listIndexes().toArray()).toEqual(before);
    // Updates and deletes by _id compare the same expression.
    expect((await documents.updateOne({ _id: fresh }, { $set: { n: 3 } })).modifiedCount).toBe(1);
    expect((await documents.deleteOne({ _id: ids[8] as string })).deletedCount).toBe(1);
  });

  it('leaves indexed collections alone and indexes those created since', async () => {
    await each.fill('documents', 10);
    expect((await runJobs(['store-indexes'], storeEnv())).stdout).toContain('"created":["documents"]');
    expect((await runJobs(['store-indexes'], storeEnv())).stdout).toContain('"collections":1,"created":[]');
    await each.fill('orders', 10);
    expect((await runJobs(['store-indexes'], storeEnv())).stdout).toContain('"collections":2,"created":["orders"]');
    const { table } = catalog('orders');
    expect(await planAfterLookups('orders', randomUUID(), `USING INDEX ${idIndexName(table)}`)).toContain(`USING INDEX ${idIndexName(table)}`);
  });

  it('takes an index made by hand that the lookup uses for its own, and leaves FerretDB\'s alone', async () => {
    await each.fill('documents', 10);
    await each.fill('rejected', 10);
    const { table, indexes } = catalog('documents');
    const file = new DatabaseSync(`${ferret.directory}${each.name}.sqlite`);
    try {
      file.exec('PRAGMA busy_timeout = 10000');
      file.exec(`CREATE INDEX by_hand ON "${table}" (${ID_EXPRESSION})`);
    } finally {
      file.close();
    }
    expect((await runJobs(['store-indexes'], storeEnv())).stdout).toContain('"collections":2,"created":["rejected"]');
    expect(catalog('documents').indexes[idIndexName(table)]).toBe(indexes[idIndexName(table)]);
  });

  it('lets several processes run at once: each collection is indexed by one of them', async () => {
    await each.fill('documents', 10);
    await each.fill('rejected', 10);
    const run = promisify(execFile);
    const results = await Promise.all(Array.from({ length: 4 }, () => run(process.execPath, [JOBS_MAIN, 'store-indexes'], { env: { ...process.env, ...storeEnv() } })));
    const created = results.flatMap((r) => lastLine(r.stdout).created);
    expect(created.sort()).toEqual(['documents', 'rejected']);
  });

  it('loses no write that FerretDB makes while it swaps the index', async () => {
    await each.fill('documents', 20_000);
    const documents = each.db.collection<{ _id: string }>('documents');
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await documents.insertMany(Array.from({ length: 50 }, () => ({ _id: randomUUID() })), { ordered: false });
        written += 50;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const run = promisify(execFile);
    const result = await run(process.execPath, [JOBS_MAIN, 'store-indexes'], { env: { ...process.env, ...storeEnv() } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    writing = false;
    await writer;
    expect(lastLine(result.stdout).created).toEqual(['documents']);
    expect(written).toBeGreaterThan(0);
    expect(await documents.countDocuments()).toBe(20_000 + written);
  });

  it('finds nothing to do in a database FerretDB has not stored anything in, and creates no file for it', async () => {
    const result = await runJobs(['store-indexes'], storeEnv());
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('"collections":0,"created":[]');
    expect((await client.db(each.name).admin().listDatabases()).databases.map((d) => d.name)).not.toContain(each.name);
  });

  it('is run by migrate after the migrations', async () => {
    await each.fill('documents', 10);
    const schema = await createTestSchema();
    try {
      const result = await runJobs(['migrate'], { ...storeEnv(), DATABASE_URL: schema.url });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toContain(`"lookupIndexes":{"database":"${each.name}","collections":1,"created":["documents"]}`);
    } finally {
      await schema.drop();
    }
  });
});
