import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers.js';

describe("fastify's own refusals, in the API's error shape", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(() => app.close());

  it('a path that is not valid percent-encoding: 400, without the path echoed', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/documents/%E0%A4%A' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'Bad Request', message: 'the URL path is not valid percent-encoding', details: [{ field: '(path)', reason: 'is not valid percent-encoding' }] });
  });

  it('a path parameter longer than any id: 400, not 414 with the path echoed', async () => {
    const res = await app.inject({ method: 'GET', url: `/v1/documents/${'a'.repeat(10_000)}` });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('aaaa');
    expect(res.json()).toMatchObject({ error: 'Bad Request', details: [{ field: '(path)', reason: 'has a parameter that is too long' }] });
  });
});
