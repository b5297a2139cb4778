import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { v5 as uuidv5, version } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT_ID_NAMESPACE } from '@docpipe/contract';
import { invoice } from '../../helpers.js';
import { buildStackApp, newUser, TopicReader } from '../../stack.js';

describe('documents into Kafka (real broker)', () => {
  let app: FastifyInstance;
  let reader: TopicReader;
  let user: Awaited<ReturnType<typeof newUser>>;
  beforeAll(async () => {
    app = await buildStackApp();
    const { documents, rejected } = app.pipelines.get('invoices')!.resources.topics;
    reader = await TopicReader.start([documents, rejected]);
    user = await newUser(app);
  });
  afterAll(async () => {
    await reader?.stop();
    await app?.close();
  });

  const post = (url: string, payload: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', authorization: user.authorization, ...headers } });

  describe('POST /v1/documents', () => {
    it('answers 202 with a UUIDv7 after the record is on the documents topic', async () => {
      const doc = invoice();
      const res = await post('/v1/documents', JSON.stringify(doc));
      expect(res.statusCode).toBe(202);
      const { id } = res.json();
      expect(version(id)).toBe(7);
      const [record] = await reader.records(id);
      expect(record?.topic).toBe('documents');
      const revision = app.pipelines.get('invoices')?.revision;
      expect(record?.value).toEqual({ id, owner: user.id, receivedAt: expect.any(String), pipeline: 'invoices', revision, doc });
      expect(Math.abs(Date.parse(String(record?.value['receivedAt'])) - Date.now())).toBeLessThan(60_000);
    });

    it('answers 422 with every reason and keeps the document on documents.rejected', async () => {
      const doc = invoice({ Quantity: 'six', CustomerID: null, Colour: 'red' });
      const res = await post('/v1/documents', JSON.stringify(doc));
      expect(res.statusCode).toBe(422);
      const body = res.json();
      expect(body).toMatchObject({ error: 'Unprocessable Entity', message: 'the document is invalid' });
      expect(body.details).toEqual(
        expect.arrayContaining([
          { field: 'Quantity', reason: expect.any(String) },
          { field: 'CustomerID', reason: 'must not be null' },
          { field: 'Colour', reason: 'is not a known field' },
        ]),
      );
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/^ingest_documents_rejected_total\{endpoint="single",reason="(type|null|unknown_field)",pipeline="invoices"\} [1-9]/m);
    });

    it('refuses __proto__ with 422 forbidden_key (not a generic 400) and records it', async () => {
      const key = `proto-${randomUUID()}`;
      const payload = JSON.stringify(invoice()).replace('{', '{"__proto__":{"isAdmin":true},');
      const res = await post('/v1/documents', payload, { 'idempotency-key': key });
      expect(res.statusCode).toBe(422);
      expect(res.json().details).toContainEqual({ field: '__proto__', reason: expect.stringMatching(/__proto__/) });
      const id = uuidv5(`${user.id}:${key}`, DOCUMENT_ID_NAMESPACE);
      const [record] = await reader.records(id);
      expect(record?.topic).toBe('documents.rejected');
      expect(record?.value).toMatchObject({ id, owner: user.id, errors: [{ field: '__proto__', reason: expect.any(String) }] });
      expect(Object.keys(record?.value['doc'] as object)).toContain('__proto__');
    });

    it.each([
      ['nested 10,000 levels deep', (text: string) => text.replace('"United Kingdom"', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`), /nest deeper/],
      ['with a lone surrogate escape', (text: string) => text.replace('HEART', 'HE\\ud800ART'), /lone UTF-16 surrogate/],
    ])('answers a document %s with 422 and keeps its text on documents.rejected', async (_case, change, reason) => {
      const key = `text-${randomUUID()}`;
      const payload = change(JSON.stringify(invoice()));
      const res = await post('/v1/documents', payload, { 'idempotency-key': key });
      expect(res.statusCode).toBe(422);
      expect(res.json().details).toEqual([{ field: expect.any(String), reason: expect.stringMatching(reason) }]);
      const id = uuidv5(`${user.id}:${key}`, DOCUMENT_ID_NAMESPACE);
      const [record] = await reader.records(id);
      expect(record?.topic).toBe('documents.rejected');
      expect(record?.value).toMatchObject({ id, owner: user.id, raw: payload, errors: res.json().details });
      expect(record?.value).not.toHaveProperty('doc');
    });

    it('with an Idempotency-Key: the same body gets the same id, another body a 422', async () => {
      const key = `order-${randomUUID()}`;
      const body = JSON.stringify(invoice({ InvoiceNo: '536370' }));
      const first = await post('/v1/documents', body, { 'idempotency-key': key });
      const retry = await post('/v1/documents', body, { 'idempotency-key': key });
      expect(first.statusCode).toBe(202);
      expect(retry.statusCode).toBe(202);
      expect(retry.json().id).toBe(first.json().id);
      expect(first.json().id).toBe(uuidv5(`${user.id}:${key}`, DOCUMENT_ID_NAMESPACE));
      // Both sends are on the topic under one key: the store keeps one copy (same _id).
      expect(await reader.records(first.json().id, 2)).toHaveLength(2);

      const other = await post('/v1/documents', JSON.stringify(invoice({ InvoiceNo: '536371' })), { 'idempotency-key': key });
      expect(other.statusCode).toBe(422);
      expect(other.json()).toEqual({ error: 'Unprocessable Entity', message: expect.stringMatching(/Idempotency-Key was already used/) });
    });

    it('scopes Idempotency-Keys per user', async () => {
      const key = `shared-${randomUUID()}`;
      const mine = await post('/v1/documents', JSON.stringify(invoice()), { 'idempotency-key': key });
      const other = await newUser(app);
      const theirs = await app.inject({
        method: 'POST',
        url: '/v1/documents',
        payload: JSON.stringify(invoice({ Quantity: 1 })),
        headers: { 'content-type': 'application/json', authorization: other.authorization, 'idempotency-key': key },
      });
      expect(mine.statusCode).toBe(202);
      expect(theirs.statusCode).toBe(202);
      expect(theirs.json().id).not.toBe(mine.json().id);
    });
  });

  describe('POST /v1/documents/batch', () => {
    it('accepts the valid NDJSON lines and rejects the others, each on its topic, in one answer', async () => {
      const lines = [JSON.stringify(invoice()), 'this is not json', '', JSON.stringify(invoice({ InvoiceDate: '31/02/2011 10:00' })), JSON.stringify(invoice({ Quantity: 2 }))];
      const res = await post('/v1/documents/batch', lines.join('\n'), { 'content-type': 'application/x-ndjson' });
      expect(res.statusCode).toBe(202);
      const body = res.json();
      expect(body).toMatchObject({ accepted: 2, rejected: 2 });
      expect(body.results).toEqual([
        { index: 0, id: expect.any(String) },
        { index: 1, errors: [{ field: '(document)', reason: expect.stringMatching(/^is not valid JSON/) }] },
        { index: 2, errors: [{ field: 'InvoiceDate', reason: 'is not a real calendar date and time' }] },
        { index: 3, id: expect.any(String) },
      ]);
      for (const index of [0, 3]) {
        const [record] = await reader.records(body.results[index].id);
        expect(record).toMatchObject({ topic: 'documents', value: { owner: user.id } });
      }
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/^ingest_documents_rejected_total\{endpoint="batch",reason="malformed_json",pipeline="invoices"\} [1-9]/m);
      expect(metrics).toMatch(/^ingest_documents_accepted_total\{endpoint="batch",pipeline="invoices"\} [1-9]/m);
    });

    it('keeps the text of a line that is not JSON on documents.rejected, with idempotent ids per index', async () => {
      const key = `batch-${randomUUID()}`;
      const body = [JSON.stringify(invoice()), '{"InvoiceNo": 5'].join('\n');
      const res = await post('/v1/documents/batch', body, { 'content-type': 'application/x-ndjson', 'idempotency-key': key });
      expect(res.statusCode).toBe(202);
      expect(res.json().results[0].id).toBe(uuidv5(`${user.id}:${key}:0`, DOCUMENT_ID_NAMESPACE));
      const [rejected] = await reader.records(uuidv5(`${user.id}:${key}:1`, DOCUMENT_ID_NAMESPACE));
      expect(rejected?.topic).toBe('documents.rejected');
      expect(rejected?.value).toMatchObject({ raw: '{"InvoiceNo": 5', errors: [{ field: '(document)' }] });
      expect(rejected?.value).not.toHaveProperty('doc');

      const retry = await post('/v1/documents/batch', body, { 'content-type': 'application/x-ndjson', 'idempotency-key': key });
      expect(retry.json().results[0].id).toBe(res.json().results[0].id);
      const changed = await post('/v1/documents/batch', `${body}\n`, { 'content-type': 'application/x-ndjson', 'idempotency-key': key });
      expect(changed.statusCode).toBe(422);
    });

    it('takes a JSON array too', async () => {
      const res = await post('/v1/documents/batch', JSON.stringify([invoice(), invoice({ StockCode: '' })]));
      expect(res.statusCode).toBe(202);
      expect(res.json()).toMatchObject({ accepted: 1, rejected: 1 });
    });

    it('answers 422 when no document is valid, after recording them all as rejected', async () => {
      const res = await post('/v1/documents/batch', JSON.stringify([{}, { InvoiceNo: 'x' }]));
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ error: 'Unprocessable Entity', accepted: 0, rejected: 2 });
    });

    it('takes a batch at the limits: 10000 of the largest valid documents (more than Kafka takes in one request)', async () => {
      const largest = invoice({ StockCode: 'S'.repeat(20), Description: 'D'.repeat(200), Country: 'C'.repeat(100) });
      const docs = Array.from({ length: 10_000 }, () => JSON.stringify(largest));
      const res = await post('/v1/documents/batch', docs.join('\n'), { 'content-type': 'application/x-ndjson' });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toMatchObject({ accepted: 10_000, rejected: 0 });
      await reader.records(res.json().results[9999].id);
    });

    it('records megabytes of refused lines on documents.rejected', async () => {
      const junk = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ line: i, blob: 'x'.repeat(4000) }));
      const res = await post('/v1/documents/batch', junk.join('\n'), { 'content-type': 'application/x-ndjson' });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ accepted: 0, rejected: 2000 });
    });
  });
});
