import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, invoice } from '../../helpers.js';

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
