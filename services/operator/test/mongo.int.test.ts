// deletionPolicy Delete's collection drop, against a FerretDB of this file's own (the MongoDB wire
// protocol, SQLite in a temporary folder), on a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionDropper } from '../src/mongo.js';
import { eventually, root } from './support/cluster.js';

const ferretdb = join(process.env.DOCPIPE_CACHE ?? join(root, '.cache'), 'bin', 'ferretdb');
const data = mkdtempSync(join(tmpdir(), 'docpipe-operator-ferretdb-'));
let server: ChildProcess;
let uri = '';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  const port = await freePort();
  server = spawn(ferretdb, ['-listen-addr', `127.0.0.1:${port}`, '-handler', 'sqlite', '-sqlite-url', `file:${data}/`], { stdio: 'ignore' });
  uri = `mongodb://127.0.0.1:${port}/`;
  await eventually(async () => {
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500 });
    try {
      await client.db('admin').command({ ping: 1 });
      return true;
    } finally {
      await client.close();
    }
  }, 'FerretDB answering');
}, 60_000);

afterAll(() => {
  server?.kill('SIGTERM');
  rmSync(data, { recursive: true, force: true });
});

describe('the collection dropper', () => {
  it('drops the collections it is given, and takes one already gone as dropped', async () => {
    const client = new MongoClient(uri);
    try {
      const db = client.db('docpipe');
      await db.collection('drop').insertOne({ _id: 'a' as never });
      await db.collection('drop_rejected').insertOne({ _id: 'b' as never });
      await db.collection('kept').insertOne({ _id: 'c' as never });
      await collectionDropper(uri, 'docpipe')!(['drop', 'drop_rejected', 'never_written']);
      const left = (await db.listCollections().toArray()).map((c) => c.name);
      expect(left).toEqual(['kept']);
    } finally {
      await client.close();
    }
  });

  it('is not there without a URI: the deletion then says so in an Event', () => {
    expect(collectionDropper(undefined, 'docpipe')).toBeUndefined();
  });
});
