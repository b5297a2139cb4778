import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad, type Summary } from '../client/run.ts';
import { generateDocuments } from '../data/index.ts';
import { freePort, requireStackEnv, ServiceProcess } from '@docpipe/testing';
import { requireNoOtherConsumer } from './services.ts';

// runLoad against the real pipeline: ingest and a consumer of our own, started from their build
// output on free ports, with the stack's env otherwise. The consumer joins the default group, so
// it shares the partitions with any other consumer of the stack instead of reading everything a
// second time; it is stopped (and commits) at the end.
//
// One change to the env: a database of this run's own. runLoad checks storage with one
// GET /v1/documents/:id per accepted document, and on FerretDB each one scans the whole
// collection (about 4.5 s at the 22,000 documents the test profile gathers), which would make a
// few hundred lookups take most of an hour; here the collection holds only these documents. So no
// other consumer may be in the group: what it took would be stored in the shared database.
let ingest: ServiceProcess | undefined;
let consumer: ServiceProcess | undefined;
let url: string;
const database = `load_it_${randomUUID().slice(0, 8)}`;
const user = `load-it-${randomUUID().slice(0, 8)}`;
const password = randomUUID();

beforeAll(async () => {
  requireStackEnv(['KAFKA_BROKERS', 'DATABASE_URL', 'MONGODB_URI', 'JWT_KEYS']);
  await requireNoOtherConsumer();
  const [port, metricsPort] = [await freePort(), await freePort()];
  const env = { MONGODB_DATABASE: database };
  consumer = await ServiceProcess.start('consumer', `http://127.0.0.1:${metricsPort}/readyz`, { ...env, METRICS_PORT: String(metricsPort) });
  url = `http://127.0.0.1:${port}`;
  ingest = await ServiceProcess.start('ingest', `${url}/readyz`, { ...env, HOST: '127.0.0.1', PORT: String(port) });
});

afterAll(async () => {
  await ingest?.stop();
  await consumer?.stop();
  const mongo = await new MongoClient(String(process.env['MONGODB_URI'])).connect();
  await mongo.db(database).dropDatabase();
  await mongo.close();
});

/** What every run must show: each document answered as the generator meant, each accepted one stored once. */
function expectExact(summary: Summary, count: number, seed: number): void {
  const invalid = generateDocuments(count, { seed }).filter((g) => g.defect !== null).length;
  expect(summary.problems).toEqual([]);
  expect(summary.sent).toBe(count);
  expect(summary.accepted + summary.rejected.total).toBe(count);
  expect(summary.rejected).toMatchObject({ total: invalid, expected: invalid, unexpected: 0 });
  expect(summary.rejected.byReason.every((group) => group.expected)).toBe(true);
  expect(summary.errors.total).toBe(0);
  expect(summary.acceptedInvalid).toBe(0);
  expect(summary.duplicateIds).toBe(0);
  expect(summary.storage).toMatchObject({ stored: summary.accepted, missing: 0 });
  expect(summary.ok).toBe(true);
}

describe('runLoad against ingest and the consumer', () => {
  it('sends 400 documents singly: accepted + rejected == sent, rejections as expected, accepted == stored', { timeout: 180_000 }, async () => {
    const summary = await runLoad({ url, user, password, count: 400, concurrency: 16, seed: 11, waitTimeoutMs: 120_000 });
    expectExact(summary, 400, 11);
    expect(summary.rejected.total).toBeGreaterThan(400 * 0.2);
    expect(summary.storage?.lagMs.max).toBeGreaterThan(0);
  });

  it('sends 300 documents in NDJSON batches with Idempotency-Keys, with the same guarantees', { timeout: 180_000 }, async () => {
    const summary = await runLoad({ url, user, password, count: 300, batchSize: 50, concurrency: 3, seed: 12, idempotency: true, waitTimeoutMs: 120_000 });
    expect(summary.requests).toBe(6);
    expectExact(summary, 300, 12);
  });
});
