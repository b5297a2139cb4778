import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { v5 as uuidv5 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT_ID_NAMESPACE } from '@docpipe/contract';
import { pipelineNamespace } from '../../../src/lib/ids.js';
import { acknowledgeKafka, buildTestApp, invoice, order, PIPELINES_DIR, repositoryPipeline, type Published } from '../../helpers.js';

const USER = '0190a5f0-0000-7000-8000-000000000001';
const orders = repositoryPipeline('orders');
const invoices = repositoryPipeline('invoices');

/** What was produced, one entry per record, values parsed. */
const records = (published: readonly Published[]) =>
  published.flatMap(({ topic, records: list }) => list.map((r) => ({ topic, key: r.key, value: JSON.parse(r.value as string) })));

describe('the pipeline routes, with Kafka and Postgres stand-ins', () => {
  let app: FastifyInstance;
  let authorization: string;
  let published: Published[];
  const statements: unknown[][] = [];
  beforeAll(async () => {
    app = await buildTestApp();
    authorization = `Bearer ${await app.tokens.sign(USER)}`;
    published = acknowledgeKafka(app);
    // Every Idempotency-Key is free: the ids and the row keys are the point here, not the claim.
    Object.assign(app.pg, {
      query: async (_sql: string, params: unknown[]) => {
        statements.push(params);
        return { rowCount: 1, rows: [] };
      },
    });
  });
  afterAll(() => app.close());

  const post = (url: string, payload: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', authorization, ...headers } });

  it('orders: accepts a nested order onto the orders topic, stamped with the pipeline and its revision', async () => {
    published.length = 0;
    const res = await post('/v1/pipelines/orders/documents', JSON.stringify(order()));
    expect(res.statusCode).toBe(202);
    const { id } = res.json();
    expect(records(published)).toEqual([
      { topic: 'orders', key: id, value: { id, owner: USER, receivedAt: expect.any(String), pipeline: 'orders', revision: orders.revision, doc: order() } },
    ]);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^ingest_documents_accepted_total\{endpoint="single",pipeline="orders"\} 1$/m);
    // What this replica serves, which the operator reads into the pipeline's status.
    expect(metrics).toContain(`ingest_pipeline_served{pipeline="orders",revision="${orders.revision}",generation=""} 1`);
  });

  it('orders: refuses a bad line naming lines[0].quantity, and keeps it on orders.rejected', async () => {
    published.length = 0;
    const bad = order({ lines: [{ sku: 'TEA-01', quantity: 0, unitPrice: 3.5 }] });
    const res = await post('/v1/pipelines/orders/documents', JSON.stringify(bad));
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ error: 'Unprocessable Entity', message: 'the document is invalid', details: [{ field: 'lines[0].quantity', reason: expect.any(String) }] });
    expect(records(published)).toEqual([
      { topic: 'orders.rejected', key: expect.any(String), value: expect.objectContaining({ pipeline: 'orders', revision: orders.revision, doc: bad }) },
    ]);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^ingest_documents_rejected_total\{endpoint="single",reason="range",pipeline="orders"\} 1$/m);
  });

  it('orders: takes a batch, each document checked against the orders schema', async () => {
    const lines = [JSON.stringify(order()), JSON.stringify(invoice()), JSON.stringify(order({ orderId: 'ORD-000999' }))].join('\n');
    const res = await post('/v1/pipelines/orders/documents/batch', lines, { 'content-type': 'application/x-ndjson' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 2, rejected: 1, results: [{ index: 0 }, { index: 1, errors: expect.arrayContaining([{ field: 'orderId', reason: 'is required' }]) }, { index: 2 }] });
  });

  it('answers an unknown pipeline with a 404 that names it and lists the served ones, on every route', async () => {
    const body = {
      error: 'Not Found',
      message: 'no pipeline named "nope" is served',
      details: [{ field: 'pipeline', reason: 'must be one of: invoices, orders' }],
    };
    expect((await post('/v1/pipelines/nope/documents', JSON.stringify(order()))).json()).toEqual(body);
    const batch = await post('/v1/pipelines/nope/documents/batch', '[]');
    expect(batch.statusCode).toBe(404);
    expect(batch.json()).toEqual(body);
    const get = await app.inject({ method: 'GET', url: `/v1/pipelines/nope/documents/${USER}`, headers: { authorization } });
    expect(get.statusCode).toBe(404);
    expect(get.json()).toEqual(body);
    // Without a token nothing is told about the pipelines.
    expect((await app.inject({ method: 'POST', url: '/v1/pipelines/nope/documents', payload: '{}' })).statusCode).toBe(401);
  });

  it('serves /v1/documents exactly as /v1/pipelines/invoices/documents: same answers, topics, envelopes and ids', async () => {
    for (const [path, payload, type] of [
      ['documents', JSON.stringify(invoice()), 'application/json'],
      ['documents', JSON.stringify(invoice({ CustomerID: null })), 'application/json'],
      ['documents/batch', [JSON.stringify(invoice()), 'not json', JSON.stringify(invoice({ Quantity: 'six' }))].join('\n'), 'application/x-ndjson'],
    ] as const) {
      const answers = [];
      for (const prefix of ['/v1', '/v1/pipelines/invoices']) {
        published.length = 0;
        const res = await post(`${prefix}/${path}`, payload, { 'content-type': type, 'idempotency-key': `same-${path}` });
        answers.push({ status: res.statusCode, body: res.json(), records: records(published).map(({ value: { receivedAt: _at, ...value }, ...r }) => ({ ...r, value })) });
      }
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[0]?.records.every((r) => ['documents', 'documents.rejected'].includes(r.topic) && r.value.pipeline === 'invoices' && r.value.revision === invoices.revision)).toBe(true);
    }
    // The ids of the default pipeline are the historical ones (docs/architecture.md, "Document ids").
    const res = await post('/v1/documents', JSON.stringify(invoice()), { 'idempotency-key': 'k' });
    expect(res.json().id).toBe(uuidv5(`${USER}:k`, DOCUMENT_ID_NAMESPACE));
  });

  it('keeps one Idempotency-Key on two pipelines apart: other ids, other rows', async () => {
    statements.length = 0;
    const onInvoices = await post('/v1/documents', JSON.stringify(invoice()), { 'idempotency-key': 'shared-key' });
    const onOrders = await post('/v1/pipelines/orders/documents', JSON.stringify(order()), { 'idempotency-key': 'shared-key' });
    expect(onOrders.json().id).toBe(uuidv5(`${USER}:shared-key`, pipelineNamespace('orders')));
    expect(onOrders.json().id).not.toBe(onInvoices.json().id);
    expect(statements.map((params) => params[1])).toEqual(['shared-key', 'orders shared-key']);
  });

  it("reads a document from its pipeline's collection and answers its dates as ISO-8601 strings", async () => {
    const id = '0190a5f0-0000-7000-8000-0000000000dd';
    const placedAt = new Date('2026-11-30T17:45:00.000Z');
    const stored = { _id: id, owner: USER, ...order(), placedAt, total: 19.99, pipeline: 'orders', ingestedAt: placedAt, storedAt: placedAt, lines: [{ sku: 'TEA-01', quantity: 2, unitPrice: 3.5, packedAt: placedAt }] };
    const collections: string[] = [];
    const original = app.mongo.db.collection.bind(app.mongo.db);
    Object.assign(app.mongo.db, {
      collection: (name: string) => {
        collections.push(name);
        return { findOne: async ({ _id }: { _id: string }) => (_id === id ? stored : null) };
      },
    });
    try {
      const res = await app.inject({ method: 'GET', url: `/v1/pipelines/orders/documents/${id}`, headers: { authorization } });
      expect(res.statusCode).toBe(200);
      const iso = placedAt.toISOString();
      expect(res.json()).toEqual({ id, owner: USER, ...order(), placedAt: iso, total: 19.99, pipeline: 'orders', ingestedAt: iso, storedAt: iso, lines: [{ sku: 'TEA-01', quantity: 2, unitPrice: 3.5, packedAt: iso }] });
      expect(collections).toEqual(['orders']);
    } finally {
      Object.assign(app.mongo.db, { collection: original });
    }
  });

  it('serves a request with the generation current when it started, whatever switches meanwhile', async () => {
    const before = app.pipelines.get('orders');
    let release = () => {};
    const claimed = new Promise<void>((resolve) => (release = resolve));
    const query = app.pg.query;
    Object.assign(app.pg, { query: async () => (await claimed, { rowCount: 1, rows: [] }) });
    try {
      published.length = 0;
      const pending = post('/v1/pipelines/orders/documents', JSON.stringify(order()), { 'idempotency-key': 'switch' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      // A stricter generation goes live while the request waits for its Idempotency-Key.
      const stricter = { ...orders, revision: 'stricter0000', validate: () => ({ ok: false as const, errors: [{ field: 'orderId', kind: 'format' as const, reason: 'no' }] }) };
      app.pipelines.replace([app.pipelines.get('invoices')!, stricter]);
      release();
      const res = await pending;
      expect(res.statusCode).toBe(202);
      expect(records(published)[0]?.value.revision).toBe(before?.revision);
      expect((await post('/v1/pipelines/orders/documents', JSON.stringify(order()))).statusCode).toBe(422);
    } finally {
      Object.assign(app.pg, { query });
      app.pipelines.replace([app.pipelines.get('invoices')!, before!]);
    }
  });
});

describe("a pipeline's limits within the service ceilings", () => {
  let dir: string;
  let app: FastifyInstance;
  let authorization: string;
  beforeAll(async () => {
    // orders with a lower document limit of its own than the service's ceiling.
    dir = await mkdtemp(join(tmpdir(), 'ingest-pipelines-'));
    await cp(PIPELINES_DIR, dir, { recursive: true });
    const spec = await readFile(join(dir, 'orders.yaml'), 'utf8');
    await writeFile(join(dir, 'orders.yaml'), spec.replace('maxDocumentBytes: 65536', 'maxDocumentBytes: 1024'));
    app = await buildTestApp({ PIPELINES_DIR: dir });
    authorization = `Bearer ${await app.tokens.sign(USER)}`;
    acknowledgeKafka(app);
  });
  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  const post = (url: string, payload: string, type = 'application/json') =>
    app.inject({ method: 'POST', url, payload, headers: { 'content-type': type, authorization } });

  it('holds a batch to the pipeline\'s maxBatchDocuments, and the default pipeline to BATCH_MAX_DOCUMENTS', async () => {
    const lines = (count: number) => Array.from({ length: count }, () => '{}').join('\n');
    const limit = orders.spec.ingest.maxBatchDocuments as number;
    const over = await post('/v1/pipelines/orders/documents/batch', lines(limit + 1), 'application/x-ndjson');
    expect(over.statusCode).toBe(413);
    expect(over.json().message).toBe(`the batch holds ${limit + 1} documents, at most ${limit} are accepted (spec.ingest.maxBatchDocuments of pipeline orders)`);
    expect((await post('/v1/pipelines/orders/documents/batch', lines(limit), 'application/x-ndjson')).statusCode).toBe(422);
    expect((await post('/v1/documents/batch', lines(limit + 1), 'application/x-ndjson')).statusCode).toBe(422);
  });

  it("holds a single document to the pipeline's maxDocumentBytes, below the route's ceiling", async () => {
    const padded = JSON.stringify(order({ note: 'x'.repeat(2000) }));
    const res = await post('/v1/pipelines/orders/documents', padded);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: 'Payload Too Large', message: expect.stringMatching(/at most 1024 are accepted \(spec\.ingest\.maxDocumentBytes of pipeline orders\)$/) });
    // The same size is fine for invoices (refused for its content, not its size).
    expect((await post('/v1/documents', JSON.stringify(invoice({ note: 'x'.repeat(2000) })))).statusCode).toBe(422);
    // And a refused document of an orders batch is held to it too.
    const batch = await post('/v1/pipelines/orders/documents/batch', `[${JSON.stringify(order())},${padded}]`);
    expect(batch.statusCode).toBe(413);
    expect(batch.json().message).toMatch(/^document 1 of the batch is \d+ bytes, at most 1024 are accepted per document \(spec\.ingest\.maxDocumentBytes of pipeline orders\)$/);
  });

  it('lets a ceiling below the pipeline\'s limit win', async () => {
    const low = await buildTestApp({ PIPELINES_DIR: dir, BATCH_MAX_DOCUMENTS: '3' });
    try {
      const res = await low.inject({
        method: 'POST',
        url: '/v1/pipelines/orders/documents/batch',
        payload: '{}\n{}\n{}\n{}',
        headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${await low.tokens.sign(USER)}` },
      });
      expect(res.statusCode).toBe(413);
      expect(res.json().message).toMatch(/\(BATCH_MAX_DOCUMENTS\)$/);
    } finally {
      await low.close();
    }
  });
});
