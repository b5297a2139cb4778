import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DEPTH } from '@docpipe/pipeline';
import { acknowledgeKafka, buildTestApp, invoice, type Published } from '../../helpers.js';

const USER = '0190a5f0-0000-7000-8000-000000000001';

describe('POST /v1/documents/batch without servers', () => {
  let app: FastifyInstance;
  let authorization: string;
  beforeAll(async () => {
    app = await buildTestApp({ BATCH_MAX_DOCUMENTS: '3', BATCH_MAX_BYTES: '4096' });
    authorization = `Bearer ${await app.tokens.sign(USER)}`;
  });
  afterAll(() => app.close());

  const post = (payload: string, type = 'application/x-ndjson') =>
    app.inject({ method: 'POST', url: '/v1/documents/batch', payload, headers: { 'content-type': type, authorization } });
  const line = JSON.stringify(invoice());

  it('answers a JSON body that is not an array with 400', async () => {
    for (const body of ['{}', '"text"', '42', 'null']) {
      const res = await post(body, 'application/json');
      expect(res.statusCode).toBe(400);
      expect(res.json().details).toEqual([{ field: '(body)', reason: 'must be an array' }]);
    }
  });

  it('answers a malformed JSON array with 400', async () => {
    expect((await post('[{"a":1},', 'application/json')).statusCode).toBe(400);
  });

  it('answers a batch without documents with 400', async () => {
    expect((await post('[]', 'application/json')).json().details).toEqual([{ field: '(body)', reason: 'holds no document' }]);
    expect((await post('\n \n\r\n')).statusCode).toBe(400);
  });

  it('answers more than BATCH_MAX_DOCUMENTS with 413, in both formats; blank lines do not count', async () => {
    expect((await post([line, line, line, line].join('\n'))).statusCode).toBe(413);
    expect((await post(`[${[line, line, line, line].join(',')}]`, 'application/json')).statusCode).toBe(413);
    expect((await post([line, '', line, '   ', line, ''].join('\n'))).statusCode).toBe(503); // 3 documents: on to Kafka
  });

  it('answers more than BATCH_MAX_BYTES with 413', async () => {
    const big = JSON.stringify(invoice({ Description: 'x'.repeat(5000) }));
    const res = await post(big);
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toBe('Payload Too Large');
  });

  it('answers a refused document over DOCUMENT_MAX_BYTES with 413 naming it, before anything reaches Kafka', async () => {
    const small = await buildTestApp({ DOCUMENT_MAX_BYTES: '1024', BATCH_MAX_BYTES: '8192' });
    try {
      const auth = `Bearer ${await small.tokens.sign(USER)}`;
      const send = (payload: string, type: string) =>
        small.inject({ method: 'POST', url: '/v1/documents/batch', payload, headers: { 'content-type': type, authorization: auth } });
      const padded = JSON.stringify(invoice({ Notes: 'x'.repeat(2000) }));
      for (const [body, type] of [[`${line}\n${padded}`, 'application/x-ndjson'], [`[${line},${padded}]`, 'application/json'], [`${line}\n{${'x'.repeat(2000)}`, 'application/x-ndjson']]) {
        const res = await send(body as string, type as string);
        expect(res.statusCode).toBe(413);
        expect(res.json().message).toMatch(/^document 1 of the batch is \d+ bytes, at most 1024/);
      }
    } finally {
      await small.close();
    }
  });

  it('takes a line that is not JSON as a rejected document, not a 400 for the batch (then needs Kafka)', async () => {
    const res = await post(`${line}\nnot json\n`);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
  });

  it('answers other content types with 415', async () => {
    expect((await post(line, 'text/plain')).statusCode).toBe(415);
    expect((await post(line, 'text/csv')).statusCode).toBe(415);
  });
});

describe('POST /v1/documents/batch: the rules of the text, with Kafka stood in for', () => {
  let app: FastifyInstance;
  let authorization: string;
  let published: Published[];
  beforeAll(async () => {
    // Documents up to 2 MiB: large enough that only the rules of the text refuse what is below.
    app = await buildTestApp({ DOCUMENT_MAX_BYTES: String(2 * 1024 * 1024), BATCH_MAX_BYTES: String(4 * 1024 * 1024) });
    authorization = `Bearer ${await app.tokens.sign(USER)}`;
    published = acknowledgeKafka(app);
  });
  afterAll(() => app.close());

  const post = (payload: string | Buffer, type = 'application/x-ndjson') =>
    app.inject({ method: 'POST', url: '/v1/documents/batch', payload, headers: { 'content-type': type, authorization } });
  /** The rejected records a request produced, values parsed. */
  const rejectedSince = (from: number) =>
    published.slice(from).flatMap((p) => (p.topic === 'documents.rejected' ? p.records.map((r) => JSON.parse(r.value as string)) : []));
  const line = JSON.stringify(invoice());
  const deepArray = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
  const deepCountry = JSON.stringify(invoice({ Country: 'DEEP' })).replace('"DEEP"', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`);
  const lone = JSON.stringify(invoice({ Description: '|' })).replace('|', '\\udfff');
  const tooDeep = { reason: `must not nest deeper than ${MAX_DEPTH} levels` };

  it.each([
    ['NDJSON', [line, deepCountry, lone, deepArray].join('\n'), 'application/x-ndjson'],
    ['a JSON array', `[${[line, deepCountry, lone, deepArray].join(' , ')}]`, 'application/json'],
  ])('takes the valid documents of %s and keeps those that break a rule of the text as their text', async (_case, body, type) => {
    const before = published.length;
    const res = await post(body, type);
    expect(res.statusCode).toBe(202);
    const { results } = res.json();
    expect(results[0]).toEqual({ index: 0, id: expect.any(String) });
    expect(results[1]).toEqual({ index: 1, errors: [{ field: ['Country', ...Array(MAX_DEPTH - 1).fill('a')].join('.'), ...tooDeep }] });
    expect(results[2]).toEqual({ index: 2, errors: [{ field: 'Description', reason: expect.stringMatching(/^holds the escape \\udfff/) }] });
    expect(results[3]).toEqual({ index: 3, errors: [{ field: Array(MAX_DEPTH).fill('[0]').join(''), ...tooDeep }] });
    expect(rejectedSince(before).map((r) => [r.raw, r.doc])).toEqual([
      [deepCountry, undefined],
      [lone, undefined],
      [deepArray, undefined],
    ]);
  });

  it('answers a JSON array nested 10,000 levels deep with 422, its one document kept as text', async () => {
    const before = published.length;
    const res = await post(`[${deepArray}]`, 'application/json');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ accepted: 0, rejected: 1, results: [{ index: 0, errors: [tooDeep] }] });
    expect(rejectedSince(before)).toEqual([expect.objectContaining({ raw: deepArray })]);
  });

  it('still answers a JSON array that is not valid JSON with 400, even with a document refused for its text', async () => {
    for (const body of [`[${deepArray}, {"a":]`, `[${deepArray},]`, `[${lone},,${line}]`]) {
      const res = await post(body, 'application/json');
      expect(res.statusCode).toBe(400);
      expect(res.json().details).toEqual([{ field: '(body)', reason: expect.stringMatching(/^is not valid JSON: /) }]);
    }
  });

  it('refuses 80,000 keys in one line before its schema runs: one reason, at once', async () => {
    const keys = Object.fromEntries(Array.from({ length: 80_000 }, (_, i) => [`k${i}`, i]));
    const started = performance.now();
    const res = await post(JSON.stringify(invoice(keys)));
    expect(res.statusCode).toBe(422);
    expect(res.json().results).toEqual([{ index: 0, errors: [{ field: '(document)', reason: 'must not hold more than 10000 keys' }] }]);
    // Loose on purpose, the answer above is the point: this took seconds when the list grew with the keys.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('lists the first 100 problems of each document and counts the rest', async () => {
    const keys = Object.fromEntries(Array.from({ length: 9_000 }, (_, i) => [`k${i}`, i]));
    const before = published.length;
    const res = await post(`${JSON.stringify(invoice(keys))}\n${line}`);
    expect(res.statusCode).toBe(202);
    const { errors } = res.json().results[0];
    expect(errors).toHaveLength(101);
    expect(errors[100]).toEqual({ field: '(document)', reason: 'has 8900 more problems, not listed' });
    expect(rejectedSince(before)[0].errors).toEqual(errors);
  });

  it('refuses a body with bytes that are not UTF-8 with 400, in both formats', async () => {
    const bad = Buffer.concat([Buffer.from(`${line}\n${line.slice(0, 20)}`), Buffer.from([0xff]), Buffer.from(line.slice(20))]);
    for (const [body, type] of [[bad, 'application/x-ndjson'], [Buffer.concat([Buffer.from('['), bad.map((b) => (b === 0x0a ? 0x2c : b)), Buffer.from(']')]), 'application/json']] as const) {
      const res = await post(body, type);
      expect(res.statusCode).toBe(400);
      expect(res.json().details).toEqual([{ field: '(body)', reason: expect.stringMatching(/^is not valid UTF-8: byte \d+ /) }]);
    }
  });
});
