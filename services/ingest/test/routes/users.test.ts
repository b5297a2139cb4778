import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DEPTH } from '@docpipe/pipeline';
import { buildTestApp } from '../helpers.js';

const register = (app: FastifyInstance, body: unknown) =>
  app.inject({ method: 'POST', url: '/v1/users', payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('POST /v1/users input checks (no server needed)', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(() => app.close());

  it.each([
    ['too short', 'ab', 'must not have fewer than 3 characters'],
    ['too long', 'a'.repeat(65), 'must not have more than 64 characters'],
    ['with a space', 'bad name', "may contain only letters, digits, '_', '.' and '-'"],
    ['with a slash', 'a/b', "may contain only letters, digits, '_', '.' and '-'"],
    ['not ASCII', 'jürgen', "may contain only letters, digits, '_', '.' and '-'"],
  ])('refuses a username %s with 400 and the reason', async (_case, username, reason) => {
    const res = await register(app, { username, password: 'long-enough-password' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'Bad Request', details: expect.arrayContaining([{ field: 'username', reason }]) });
  });

  it.each([
    ['under 8', 'x'.repeat(7), 'must not have fewer than 8 characters'],
    ['over 128', 'x'.repeat(129), 'must not have more than 128 characters'],
  ])('refuses a password %s characters', async (_case, password, reason) => {
    const res = await register(app, { username: 'alice', password });
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toEqual([{ field: 'password', reason }]);
  });

  it('names missing and unknown fields', async () => {
    const res = await register(app, { username: 'alice', role: 'admin' });
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toEqual(
      expect.arrayContaining([
        { field: 'password', reason: 'is required' },
        { field: 'role', reason: 'is not a known field' },
      ]),
    );
  });

  it('refuses a number where a string belongs instead of coercing it', async () => {
    const res = await register(app, { username: 12345, password: 'long-enough-password' });
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toEqual([{ field: 'username', reason: 'must be string' }]);
  });

  it('answers malformed JSON with 400 and a (body) detail', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/users', payload: '{"username":', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'Bad Request', message: 'the body is not valid JSON', details: [{ field: '(body)', reason: 'is not valid JSON' }] });
  });

  it('refuses __proto__ in a registration (only document routes let it through, to their pipeline validator)', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/users',
      payload: '{"username":"alice","password":"long-enough-password","__proto__":{"admin":true}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
  });

  const send = (payload: string | Buffer) => app.inject({ method: 'POST', url: '/v1/users', payload, headers: { 'content-type': 'application/json' } });

  it('refuses a body nested deeper than the limit with 422 naming where, before anything reads it', async () => {
    const res = await send(`{"username":${'['.repeat(10_000)}${']'.repeat(10_000)},"password":"long-enough-password"}`);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({
      error: 'Unprocessable Entity',
      message: 'the JSON text is refused before it is parsed',
      details: [{ field: `username${'[0]'.repeat(MAX_DEPTH - 1)}`, reason: `must not nest deeper than ${MAX_DEPTH} levels` }],
    });
  });

  it('refuses a lone surrogate escape with 422: two such passwords would hash alike', async () => {
    const res = await send('{"username":"alice","password":"long-enough-\\ud800"}');
    expect(res.statusCode).toBe(422);
    expect(res.json().details).toEqual([{ field: 'password', reason: expect.stringMatching(/^holds the escape \\ud800, a lone UTF-16 surrogate/) }]);
  });

  it('refuses bytes that are not UTF-8 with 400 naming the byte', async () => {
    const res = await send(Buffer.concat([Buffer.from('{"username":"alice","password":"long-enough-'), Buffer.from([0xe9]), Buffer.from('"}')]));
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toEqual([{ field: '(body)', reason: 'is not valid UTF-8: byte 44 does not start a valid sequence' }]);
  });

  it('answers 415 for text/plain and for a form', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await app.inject({ method: 'POST', url: '/v1/users', payload: 'username=alice', headers: { 'content-type': type } });
      expect(res.statusCode).toBe(415);
      expect(res.json()).toMatchObject({ error: 'Unsupported Media Type' });
    }
  });

  it('answers 503 with Retry-After when Postgres is down', async () => {
    const res = await register(app, { username: 'alice', password: 'long-enough-password' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.json()).toEqual({ error: 'Service Unavailable', message: 'Postgres is unavailable, retry later' });
  });
});

describe('password hashing under a burst', () => {
  it('answers 503 with Retry-After beyond HASH_CONCURRENCY + HASH_QUEUE_MAX, and counts it', async () => {
    const app = await buildTestApp({ HASH_CONCURRENCY: '1', HASH_QUEUE_MAX: '1' });
    try {
      const responses = await Promise.all(
        Array.from({ length: 6 }, (_, i) => register(app, { username: `burst${i}`, password: 'long-enough-password' })),
      );
      const full = responses.filter((r) => r.json().message === 'too many password operations in progress, retry later');
      expect(full).toHaveLength(4);
      for (const res of full) {
        expect(res.statusCode).toBe(503);
        expect(res.headers['retry-after']).toBe('2');
      }
      const metrics = await app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(/^ingest_password_hash_queue_rejections_total 4$/m);
    } finally {
      await app.close();
    }
  });
});
