import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort, requireStackEnv, waitFor } from '@docpipe/testing';
import { MongoClient } from 'mongodb';

const FERRETDB = fileURLToPath(new URL('../../../.cache/bin/ferretdb', import.meta.url));

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
  if (!existsSync(FERRETDB)) throw new Error(`${FERRETDB} is missing: run scripts/install/ferretdb.sh`);
  const port = await freePort();
  const child = spawn(FERRETDB, ['-listen-addr', `127.0.0.1:${port}`, '-handler', 'postgresql', '-postgresql-url', env.DATABASE_URL], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
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
  return { mongoUri, postgresUrl: env.DATABASE_URL, origin: "FerretDB started over the stack's Postgres", stop };
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
