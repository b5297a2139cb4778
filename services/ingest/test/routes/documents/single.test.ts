import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, invoice } from '../../helpers.js';

const USER = '0190a5f0-0000-7000-8000-000000000001';

describe('POST /v1/documents without servers', () => {
  let app: FastifyInstance;
  let authorization: string;
  beforeAll(async () => {
    app = await buildTestApp({ DOCUMENT_MAX_BYTES: '2048' });
    authorization = `Bearer ${await app.tokens.sign(USER)}`;
  });
  afterAll(() => app.close());

  const post = (payload: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/v1/documents', payload, headers: { 'content-type': 'application/json', authorization, ...headers } });

  it('answers malformed JSON with 400 and the parser reason', async () => {
    const res = await post('{"InvoiceNo": 5365');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'Bad Request',
      message: 'the body is not valid JSON',
      details: [{ field: '(body)', reason: expect.stringMatching(/^is not valid JSON: /) }],
    });
  });

  it('answers an empty body or no body with 400', async () => {
    expect((await post('')).statusCode).toBe(400);
    const none = await app.inject({ method: 'POST', url: '/v1/documents', headers: { authorization } });
    expect(none.statusCode).toBe(400);
    expect(none.json().details).toEqual([{ field: '(body)', reason: 'is required' }]);
  });

  it.each(['text/plain', 'application/x-ndjson', 'application/xml', 'multipart/form-data; boundary=x'])(
    'answers content type %s with 415',
    async (type) => {
      const res = await post(JSON.stringify(invoice()), { 'content-type': type });
      expect(res.statusCode).toBe(415);
      expect(res.json().error).toBe('Unsupported Media Type');
    },
  );

  it('answers a body over DOCUMENT_MAX_BYTES with 413', async () => {
    const res = await post(JSON.stringify(invoice({ Description: 'x'.repeat(3000) })));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: 'Payload Too Large', message: expect.any(String) });
  });

  it.each([
    ['a space', 'a b'],
    ['more than 255 characters', 'k'.repeat(256)],
    ['a control character', 'a\tb'],
    ['non-ASCII text', 'clé'],
  ])('answers an Idempotency-Key with %s with 400', async (_case, key) => {
    const res = await post(JSON.stringify(invoice()), { 'idempotency-key': key });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'Bad Request', details: [{ field: 'idempotency-key' }] });
  });

  it('explains a bad Idempotency-Key in words, with the other headers of the request left as they were', async () => {
    const res = await post(JSON.stringify(invoice()), { 'idempotency-key': 'a b', 'x-extra': '12' });
    expect(res.json()).toEqual({
      error: 'Bad Request',
      message: 'invalid request headers',
      details: [{ field: 'idempotency-key', reason: 'must be 1 to 255 visible ASCII characters (no spaces)' }],
    });
  });

  it('answers 503 with Retry-After when Kafka is unreachable, never 202', async () => {
    const res = await post(JSON.stringify(invoice()));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.json()).toEqual({ error: 'Service Unavailable', message: 'Kafka is unavailable, retry later' });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^ingest_kafka_produce_errors_total [1-9]/m);
  });

  it('also needs Kafka to refuse a document: the rejection must be recorded first', async () => {
    const res = await post(JSON.stringify(invoice({ Quantity: 'many' })));
    expect(res.statusCode).toBe(503);
  });
});
