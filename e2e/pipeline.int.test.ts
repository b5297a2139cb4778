import { randomUUID } from 'node:crypto';
import { EXPECTED_REJECTION, generateDocuments, type GeneratedDocument } from '@docpipe/load/data';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pooled, registerUser, requireStackEnv, ServiceProcess, waitFor } from '@docpipe/testing';

// The whole pipeline as it runs in production: ingest and consumer as their own processes from
// their build output, against the real broker, store and database of the test stack.
const env = requireStackEnv(['KAFKA_BROKERS', 'DATABASE_URL', 'MONGODB_URI', 'MONGODB_DATABASE', 'JWT_KEYS', 'PORT', 'METRICS_PORT']);
const api = `http://127.0.0.1:${env.PORT}`;
const consumerReady = `http://127.0.0.1:${env.METRICS_PORT}/readyz`;
const DOCUMENTS = 3000;
const SINGLES = 1000;
const BATCH = 250;

interface Outcome {
  readonly index: number;
  readonly id?: string;
  readonly errors?: ReadonlyArray<{ field: string; reason: string }>;
}

let ingest: ServiceProcess;
let consumer: ServiceProcess;
let mongo: MongoClient;
let authorization: string;
let owner: string;

async function post(path: string, body: string, contentType: string, key?: string) {
  const res = await fetch(`${api}${path}`, {
    method: 'POST',
    headers: { authorization, 'content-type': contentType, ...(key ? { 'idempotency-key': key } : {}) },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function postSingle(doc: GeneratedDocument, index: number, key?: string): Promise<Outcome> {
  const res = await post('/v1/documents', JSON.stringify(doc.doc), 'application/json', key);
  expect([202, 422], JSON.stringify(res.body)).toContain(res.status);
  return res.status === 202
    ? { index, id: res.body['id'] as string }
    : { index, errors: res.body['details'] as Outcome['errors'] };
}

async function postBatch(docs: readonly GeneratedDocument[], first: number, ndjson: boolean, key?: string): Promise<Outcome[]> {
  const body = ndjson ? docs.map((d) => JSON.stringify(d.doc)).join('\n') : JSON.stringify(docs.map((d) => d.doc));
  const res = await post('/v1/documents/batch', body, ndjson ? 'application/x-ndjson' : 'application/json', key);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return (res.body['results'] as Outcome[]).map((r) => ({ ...r, index: first + r.index }));
}

const store = () => mongo.db(env.MONGODB_DATABASE);
const storedCount = () => store().collection('documents').countDocuments({ owner });

beforeAll(async () => {
  mongo = await new MongoClient(env.MONGODB_URI).connect();
  consumer = await ServiceProcess.start('consumer', consumerReady);
  ingest = await ServiceProcess.start('ingest', `${api}/readyz`);
  ({ owner, authorization } = await registerUser(api, `e2e-${randomUUID().slice(0, 8)}`, randomUUID()));
});

afterAll(async () => {
  await ingest?.stop();
  await consumer?.stop();
  await mongo?.close();
});

describe('the pipeline, end to end', () => {
  it('stores exactly what it accepted, across retries and a consumer killed mid-stream', { timeout: 240_000 }, async () => {
    const docs = generateDocuments(DOCUMENTS, { seed: 2026 });
    // Every tenth single carries an Idempotency-Key, so that it can be retried below.
    const singleKey = (i: number) => (i % 10 === 0 ? `single-${i}` : undefined);
    const singles = await pooled(docs.slice(0, SINGLES), 16, (doc, i) => postSingle(doc, i, singleKey(i)));

    const batches: Outcome[][] = [];
    const batchStarts = Array.from({ length: (DOCUMENTS - SINGLES) / BATCH }, (_, b) => SINGLES + b * BATCH);
    const sendBatch = async (b: number) => {
      const start = batchStarts[b] as number;
      batches[b] = await postBatch(docs.slice(start, start + BATCH), start, b % 2 === 0, `batch-${b}`);
    };
    await sendBatch(0);
    await sendBatch(1);
    // SIGKILL while the consumer is busy with what was just accepted: no graceful stop, no commit.
    const killed = await consumer.stop('SIGKILL');
    expect(killed).toBeNull();
    for (let b = 2; b < batchStarts.length; b++) await sendBatch(b);
    await consumer.stop();
    consumer = await ServiceProcess.start('consumer', consumerReady);

    // Client retries with the same Idempotency-Key get the same ids back.
    const retried = await pooled(
      singles.filter((o) => singleKey(o.index)),
      8,
      (o) => postSingle(docs[o.index] as GeneratedDocument, o.index, singleKey(o.index)),
    );
    expect(retried).toEqual(singles.filter((o) => singleKey(o.index)));
    const start0 = batchStarts[0] as number;
    expect(await postBatch(docs.slice(start0, start0 + BATCH), start0, true, 'batch-0')).toEqual(batches[0]);
    const reused = await post('/v1/documents', JSON.stringify(docs[1]?.doc), 'application/json', 'single-0');
    expect(reused.status).toBe(422);

    const outcomes = [...singles, ...batches.flat()];
    expect(outcomes.map((o) => o.index)).toEqual(docs.map((_, i) => i));
    const accepted = outcomes.filter((o) => o.id !== undefined);
    const rejected = outcomes.filter((o) => o.errors !== undefined);

    // Every document gets the verdict its defect calls for, and every rejection says why.
    for (const o of outcomes) {
      const { defect } = docs[o.index] as GeneratedDocument;
      if (defect === null) {
        expect(o.id, `document ${o.index}`).toBeTypeOf('string');
      } else {
        const { field } = EXPECTED_REJECTION[defect];
        expect(o.errors, `document ${o.index}`).toEqual([expect.objectContaining({ field, reason: expect.any(String) })]);
      }
    }
    expect(rejected.length).toBeGreaterThan(DOCUMENTS * 0.2);

    await waitFor('every accepted document stored', async () => (await storedCount()) >= accepted.length, 120_000, 200);
    const storedIds = await store().collection<{ _id: string }>('documents').find({ owner }, { projection: { _id: 1 } }).toArray();
    expect(storedIds.length).toBe(accepted.length);
    expect(new Set(storedIds.map((d) => d._id))).toEqual(new Set(accepted.map((o) => o.id)));
    await waitFor('every rejection stored', async () => (await store().collection('rejected').countDocuments({ owner })) >= rejected.length, 60_000);
    expect(await store().collection('rejected').countDocuments({ owner })).toBe(rejected.length);

    // Nothing more arrives later: the consumer has drained and stored no duplicate.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await storedCount()).toBe(accepted.length);

    const sample = accepted[0] as Outcome;
    const got = await fetch(`${api}/v1/documents/${sample.id}`, { headers: { authorization } });
    expect(got.status).toBe(200);
    const stored = (await got.json()) as Record<string, unknown>;
    const source = (docs[sample.index] as GeneratedDocument).doc;
    expect(stored).toMatchObject({ id: sample.id, owner, InvoiceNo: source['InvoiceNo'], Quantity: source['Quantity'] });
    expect(stored['total']).toBeCloseTo((source['Quantity'] as number) * (source['UnitPrice'] as number), 2);
    expect(new Date(stored['InvoiceDate'] as string).getTime()).not.toBeNaN();
  });
});
