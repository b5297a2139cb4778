// The lookup index of FerretDB on PostgreSQL (docs/store-lookups.md): without it findOne({_id}) is a
// sequential scan of the collection's table, with it a bitmap scan of the index.
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupIndexName } from '../src/store-indexes.js';
import { databasePerTest, ferretOnPostgres, planNodes, type FerretOnPostgres } from './ferretdb.js';
import { createTestSchema } from './postgres-fixture.js';
import { runJobs } from './run-cli.js';

let ferret: FerretOnPostgres;
let client: MongoClient;
let backend: pg.Pool;
beforeAll(async () => {
  ferret = await ferretOnPostgres();
  client = new MongoClient(ferret.mongoUri);
  backend = new pg.Pool({ connectionString: ferret.postgresUrl, max: 2 });
}, 60_000);
afterAll(async () => {
  await client?.close();
  await backend?.end();
  await ferret?.stop();
});

const each = databasePerTest(() => client);

const storeEnv = () => ({ DATABASE_URL: process.env['DATABASE_URL'] as string, FERRETDB_POSTGRESQL_URL: ferret.postgresUrl, MONGODB_DATABASE: each.name });

async function lookupPlan(collection: string, id: string) {
  const explained = await each.db.command({ explain: { find: collection, filter: { _id: id }, limit: 1, singleBatch: true }, verbosity: 'queryPlanner' });
  expect(explained['filterPushdown'], `${ferret.origin} pushes {_id} down`).toBe(true);
  return planNodes((explained['queryPlanner'] as { Plan: unknown }).Plan);
}

async function tableOf(collection: string): Promise<string> {
  const { rows } = await backend.query<{ table: string }>(
    `SELECT _jsonb->>'table' AS table FROM ${pg.escapeIdentifier(each.name)}._ferretdb_database_metadata WHERE _jsonb->>'_id' = $1`,
    [collection],
  );
  return (rows[0] as { table: string }).table;
}

/** The indexes the jobs made on a collection's table: name and what follows USING. */
async function indexesOf(collection: string): Promise<{ name: string; method: string }[]> {
  const { rows } = await backend.query<{ name: string; method: string }>(
    "SELECT indexname AS name, substring(indexdef from 'USING (.*)$') AS method FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 AND indexname LIKE '%\\_id\\_gin'",
    [each.name, await tableOf(collection)],
  );
  return rows;
}

describe('store-indexes', () => {
  it('turns the sequential scan of a lookup by _id into a scan of its index', async () => {
    const ids = await each.fill('documents', 3000);
    const before = await lookupPlan('documents', ids[1234] as string);
    // FerretDB's own _id index (a btree) cannot serve the `@>` it pushes down.
    expect(before.types).toContain('Seq Scan');
    expect(before.indexes).toEqual([]);

    const result = await runJobs(['store-indexes'], storeEnv());
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`"database":"${each.name}","collections":1,"created":["documents"]`);

    const after = await lookupPlan('documents', ids[1234] as string);
    expect(after.types).not.toContain('Seq Scan');
    expect(after.types).toContain('Bitmap Index Scan');
    expect(after.indexes).toEqual([lookupIndexName(await tableOf('documents'))]);
    const documents = each.db.collection<{ _id: string }>('documents');
    expect(await documents.findOne({ _id: ids[1234] as string })).toMatchObject({ _id: ids[1234] });
    expect(await documents.findOne({ _id: randomUUID() })).toBeNull();
  });

  it('leaves indexed collections alone and indexes those created since', async () => {
    await each.fill('documents', 10);
    expect((await runJobs(['store-indexes'], storeEnv())).stdout).toContain('"created":["documents"]');
    expect((await runJobs(['store-indexes'], storeEnv())).stdout).toContain('"collections":1,"created":[]');
    await each.fill('orders', 10);
    expect((await runJobs(['store-indexes'], storeEnv())).stdout).toContain('"collections":2,"created":["orders"]');
    // Ten documents are read faster without an index, so the planner is not asked here: the catalog is.
    expect(await indexesOf('orders')).toEqual([
      { name: lookupIndexName(await tableOf('orders')), method: "gin (((_jsonb -> '_id'::text)) jsonb_path_ops) WITH (fastupdate=off)" },
    ]);
  });

  it('takes an index made by hand that serves the lookup for its own', async () => {
    await each.fill('documents', 10);
    await each.fill('rejected', 10);
    const table = await tableOf('documents');
    await backend.query(`CREATE INDEX by_hand ON ${pg.escapeIdentifier(each.name)}.${pg.escapeIdentifier(table)} USING gin ((_jsonb -> '_id'))`);
    expect((await runJobs(['store-indexes'], storeEnv())).stdout).toContain('"collections":2,"created":["rejected"]');
    expect(await indexesOf('documents')).toEqual([]);
  });

  it('lets several runs start at once: each collection is indexed by one of them', async () => {
    await each.fill('documents', 10);
    await each.fill('rejected', 10);
    const results = await Promise.all(Array.from({ length: 4 }, () => runJobs(['store-indexes'], storeEnv())));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    const created = results.flatMap((r) => JSON.parse(r.stdout.trim().split('\n').at(-1) as string).created as string[]);
    expect(created.sort()).toEqual(['documents', 'rejected']);
  });

  it('finds nothing to do in a database FerretDB has not stored anything in', async () => {
    const result = await runJobs(['store-indexes'], storeEnv());
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('"collections":0,"created":[]');
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

  it('exits 1 saying why without FERRETDB_POSTGRESQL_URL or FERRETDB_SQLITE_URL', async () => {
    const result = await runJobs(['store-indexes'], { DATABASE_URL: process.env['DATABASE_URL'] as string });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^jobs store-indexes failed: neither FERRETDB_POSTGRESQL_URL nor FERRETDB_SQLITE_URL is set/);
  });
});
