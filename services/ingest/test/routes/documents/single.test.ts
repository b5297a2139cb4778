import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaWriteUnknownError } from '@docpipe/kafka';
import { MAX_DEPTH } from '@docpipe/pipeline';
import { acknowledgeKafka, buildTestApp, invoice, type Published } from '../../helpers.js';

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
    expect(res.json()).toEqual({ error: 'Service Unavailable', message: 'Kafka is unavailable, nothing was written; retry later' });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^ingest_kafka_produce_errors_total [1-9]/m);
  });

  it('also needs Kafka to refuse a document: the rejection must be recorded first', async () => {
    const res = await post(JSON.stringify(invoice({ Quantity: 'many' })));
    expect(res.statusCode).toBe(503);
  });
});

describe('POST /v1/documents when Kafka does not confirm a write it was sent', () => {
  let app: FastifyInstance;
  let authorization: string;
  beforeAll(async () => {
    app = await buildTestApp();
    authorization = `Bearer ${await app.tokens.sign(USER)}`;
    // As the producer answers when its request left but no acknowledgement came back in time.
    Object.assign(app.kafka, {
      publish: async (_topic: string, records: readonly unknown[]) => {
        if (records.length > 0) throw new KafkaWriteUnknownError('Kafka did not acknowledge the write in time');
      },
    });
  });
  afterAll(() => app.close());

  it('answers 504, not 503, with the id the document was sent under and what to do', async () => {
    const headers = { 'content-type': 'application/json', authorization };
    const res = await app.inject({ method: 'POST', url: '/v1/documents', payload: JSON.stringify(invoice()), headers });
    expect(res.statusCode).toBe(504);
    expect(res.headers['retry-after']).toBe('2');
    const body = res.json();
    expect(body).toEqual({ error: 'Gateway Timeout', message: expect.stringContaining('may or may not be stored'), ids: [expect.stringMatching(/^[0-9a-f-]{36}$/)] });
    // Sent without an Idempotency-Key, a blind retry could store a second copy.
    expect(body.message).toContain('look the ids up');
  });
});

describe('POST /v1/documents: the rules of the text, with Kafka stood in for', () => {
  let app: FastifyInstance;
  let authorization: string;
  let published: Published[];
  beforeAll(async () => {
    app = await buildTestApp();
    authorization = `Bearer ${await app.tokens.sign(USER)}`;
    published = acknowledgeKafka(app);
  });
  afterAll(() => app.close());

  const post = (payload: string | Buffer) =>
    app.inject({ method: 'POST', url: '/v1/documents', payload, headers: { 'content-type': 'application/json', authorization } });
  /** The one record the request produced: its topic and value. */
  const produced = (from: number) => {
    const sent = published.slice(from);
    expect(sent.flatMap((p) => p.records)).toHaveLength(1);
    return { topic: sent[0]?.topic, value: JSON.parse(sent[0]?.records[0]?.value as string) };
  };

  it(`refuses a document nested deeper than ${MAX_DEPTH} levels with 422 naming where, and keeps it as its text`, async () => {
    const deep = `${'{"a":'.repeat(10_000)}"x"${'}'.repeat(10_000)}`;
    const body = JSON.stringify(invoice({ Country: 'DEEP' })).replace('"DEEP"', deep);
    const before = published.length;
    const res = await post(body);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({
      error: 'Unprocessable Entity',
      message: 'the document is invalid',
      details: [{ field: ['Country', ...Array(MAX_DEPTH - 1).fill('a')].join('.'), reason: `must not nest deeper than ${MAX_DEPTH} levels` }],
    });
    const { topic, value } = produced(before);
    expect(topic).toBe('documents.rejected');
    expect(value).toMatchObject({ raw: body, errors: res.json().details });
    expect(value).not.toHaveProperty('doc');
  });

  it('refuses a lone surrogate escape with 422 and keeps the text as sent, escape and all', async () => {
    const body = JSON.stringify(invoice({ Description: 'HEART' })).replace('HEART', 'HE\\ud800ART');
    const before = published.length;
    const res = await post(body);
    expect(res.statusCode).toBe(422);
    expect(res.json().details).toEqual([{ field: 'Description', reason: expect.stringMatching(/^holds the escape \\ud800, a lone UTF-16 surrogate/) }]);
    expect(produced(before).value).toMatchObject({ raw: body });
  });

  it('takes a surrogate pair, escaped or not', async () => {
    expect((await post(JSON.stringify(invoice({ Description: 'TEA |' })).replace('|', '\\ud83c\\udf75'))).statusCode).toBe(202);
    expect((await post(JSON.stringify(invoice({ Description: 'TEA 🍵' })))).statusCode).toBe(202);
  });

  it('refuses bytes that are not UTF-8 with 400 naming the byte, and produces nothing', async () => {
    const [head, tail] = JSON.stringify(invoice({ Description: '|' })).split('|') as [string, string];
    const before = published.length;
    const res = await post(Buffer.concat([Buffer.from(head), Buffer.from([0xc3, 0x28]), Buffer.from(tail)]));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'Bad Request',
      message: 'the body is not valid UTF-8',
      details: [{ field: '(body)', reason: `is not valid UTF-8: byte ${Buffer.byteLength(head)} does not start a valid sequence` }],
    });
    expect(published.length).toBe(before);
  });

  it('lists the first 100 problems of a document and counts the rest', async () => {
    const extra = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, 1]));
    const res = await post(JSON.stringify(invoice(extra)));
    expect(res.statusCode).toBe(422);
    const { details } = res.json();
    expect(details).toHaveLength(101);
    expect(details[100]).toEqual({ field: '(document)', reason: 'has 2900 more problems, not listed' });
  });
});
