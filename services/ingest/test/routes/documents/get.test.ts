import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers.js';

describe('GET /v1/documents/:id without servers', () => {
  let app: FastifyInstance;
  let authorization: string;
  beforeAll(async () => {
    app = await buildTestApp();
    authorization = `Bearer ${await app.tokens.sign('0190a5f0-0000-7000-8000-000000000001')}`;
  });
  afterAll(() => app.close());

  it.each(['not-a-uuid', '0190a5f0-0000-7000-8000-00000000000', '0190a5f0000070008000000000000001'])('answers id %s with 400', async (id) => {
    const res = await app.inject({ method: 'GET', url: `/v1/documents/${id}`, headers: { authorization } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'Bad Request', message: 'invalid request params', details: [{ field: 'id', reason: 'must be a UUID' }] });
  });

  it('answers 503 with Retry-After while MongoDB is unreachable', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/documents/0190a5f0-0000-7000-8000-0000000000aa', headers: { authorization } });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
  });
});
