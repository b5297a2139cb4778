import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort, requireStackEnv, waitFor } from '@docpipe/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { afterEach, beforeEach } from 'vitest';

const FERRETDB = fileURLToPath(new URL('../../../.cache/bin/ferretdb', import.meta.url));

interface Started {
  readonly mongoUri: string;
  stop(): Promise<void>;
}

/** The stack's FerretDB binary on the backend its flags name, on a free port, answering pings. */
async function startFerretDB(backendFlags: readonly string[]): Promise<Started> {
  if (!existsSync(FERRETDB)) throw new Error(`${FERRETDB} is missing: run scripts/install/ferretdb.sh`);
  const port = await freePort();
  const child = spawn(FERRETDB, ['-listen-addr', `127.0.0.1:${port}`, ...backendFlags], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  const mongoUri = `mongodb://127.0.0.1:${port}/`;
  try {
    await waitFor(`FerretDB on 127.0.0.1:${port}`, async () => {
      if (child.exitCode !== null) throw new Error(`ferretdb exited with ${child.exitCode}: ${log}`);
      const client = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 500 });
      try {
        await client.db('admin').command({ ping: 1 });
        return true;
      } catch {
        return false;
      } finally {
        await client.close();
      }
    }, 30_000, 200);
  } catch (error) {
    await stop();
    throw error;
  }
  return { mongoUri, stop };
}

export interface FerretOnPostgres {
  readonly mongoUri: string;
  /** The PostgreSQL database FerretDB keeps its tables in, as FERRETDB_POSTGRESQL_URL gives it. */
  readonly postgresUrl: string;
  /** Where it came from, for the failure messages. */
  readonly origin: string;
  stop(): Promise<void>;
}

/**
 * FerretDB on PostgreSQL: the stack's, when its env says that is its store (FERRETDB_POSTGRESQL_URL
 * beside MONGODB_URI); otherwise (the stack's FerretDB runs on SQLite) one started here with the
 * stack's binary over the stack's Postgres (DATABASE_URL). Either way each test keeps to a MongoDB
 * database of its own, which FerretDB keeps in a schema of that name.
 */
export async function ferretOnPostgres(): Promise<FerretOnPostgres> {
  const env = requireStackEnv(['MONGODB_URI', 'DATABASE_URL']);
  const stackPostgres = process.env['FERRETDB_POSTGRESQL_URL'];
  if (stackPostgres) {
    return { mongoUri: env.MONGODB_URI, postgresUrl: stackPostgres, origin: "the stack's FerretDB", stop: async () => {} };
  }
  const started = await startFerretDB(['-handler', 'postgresql', '-postgresql-url', env.DATABASE_URL]);
  return { ...started, postgresUrl: env.DATABASE_URL, origin: "FerretDB started over the stack's Postgres" };
}

export interface FerretOnSqlite {
  readonly mongoUri: string;
  /** Its -sqlite-url, as FERRETDB_SQLITE_URL gives it to the jobs. */
  readonly sqliteUrl: string;
  /** The folder of its files: `<database>.sqlite` each. */
  readonly directory: string;
  /** Stops it and removes its files. */
  stop(): Promise<void>;
}

/** FerretDB on SQLite in a folder of its own, so that a test can read its files beside it. */
export async function ferretOnSqlite(): Promise<FerretOnSqlite> {
  const directory = `${mkdtempSync(join(tmpdir(), 'docpipe-ferretdb-'))}/`;
  const sqliteUrl = pathToFileURL(directory).href;
  try {
    const started = await startFerretDB(['-handler', 'sqlite', '-sqlite-url', sqliteUrl]);
    return {
      mongoUri: started.mongoUri,
      sqliteUrl,
      directory,
      stop: async () => {
        await started.stop();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}

/** The node types and index names of a PostgreSQL plan as FerretDB's explain returns it (queryPlanner.Plan). */
export function planNodes(plan: unknown): { types: string[]; indexes: string[] } {
  const types: string[] = [];
  const indexes: string[] = [];
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (typeof n['Node Type'] === 'string') types.push(n['Node Type']);
    if (typeof n['Index Name'] === 'string') indexes.push(n['Index Name']);
    if (Array.isArray(n['Plans'])) for (const child of n['Plans']) walk(child);
  };
  walk(plan);
  return { types, indexes };
}

export interface TestDatabase {
  /** The MongoDB database of the running test. */
  readonly name: string;
  readonly db: Db;
  /** Writes `count` invoice-like documents with string ids into `collection`, as the consumer writes them; returns their ids. */
  fill(collection: string, count: number): Promise<string[]>;
}

/**
 * A MongoDB database of each test's own, dropped after it: FerretDB keeps one in a PostgreSQL
 * schema or an SQLite file of its name, so no test sees another's collections.
 */
export function databasePerTest(client: () => MongoClient): TestDatabase {
  let name = '';
  let db: Db | undefined;
  beforeEach(() => {
    name = `jobs_lookup_${randomBytes(6).toString('hex')}`;
    db = client().db(name);
  });
  afterEach(async () => {
    await db?.dropDatabase();
  });
  const current = () => {
    if (!db) throw new Error('databasePerTest: no test is running');
    return db;
  };
  return {
    get name() {
      return name;
    },
    get db() {
      return current();
    },
    async fill(collection, count) {
      const ids = Array.from({ length: count }, () => randomUUID());
      const docs = ids.map((_id, i) => ({ _id, InvoiceNo: String(536_365 + i), StockCode: '85123A', Quantity: 6, UnitPrice: 2.55, Country: 'United Kingdom' }));
      await current().collection<{ _id: string }>(collection).insertMany(docs, { ordered: false });
      return ids;
    },
  };
}
