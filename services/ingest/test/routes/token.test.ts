import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers.js';

const login = (app: FastifyInstance, body: unknown) =>
  app.inject({ method: 'POST', url: '/v1/token', payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('POST /v1/token without servers', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildTestApp({ TOKEN_RATE_LIMIT_MAX: '3', TOKEN_RATE_LIMIT_WINDOW: '1m' });
  });
  afterAll(() => app.close());

  it('checks the shape of the request, then rate-limits per client IP with 429 and Retry-After', async () => {
    const bad = await login(app, { username: 'alice' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details).toEqual([{ field: 'password', reason: 'is required' }]);
    expect((await login(app, {})).statusCode).toBe(400);
    expect((await login(app, { username: 'alice', password: 'x' })).statusCode).toBe(503); // Postgres is down

    const limited = await login(app, { username: 'alice', password: 'whatever' });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toEqual({ error: 'Too Many Requests', message: expect.stringMatching(/^too many requests, retry in/) });

    // Another client address has its own budget.
    const other = await app.inject({ method: 'POST', url: '/v1/token', payload: '{}', headers: { 'content-type': 'application/json' }, remoteAddress: '10.1.2.3' });
    expect(other.statusCode).toBe(400);
  });

  it('holds its body to the rules of JSON text', async () => {
    const send = (payload: string | Buffer) =>
      app.inject({ method: 'POST', url: '/v1/token', payload, headers: { 'content-type': 'application/json' }, remoteAddress: '10.9.9.9' });
    expect((await send('{"username":"alice","password":"\\udc00"}')).statusCode).toBe(422);
    expect((await send(`{"username":"alice","password":${'{"a":'.repeat(100)}1${'}'.repeat(100)}}`)).statusCode).toBe(422);
    expect((await send(Buffer.from([0x7b, 0xff, 0x7d]))).statusCode).toBe(400);
  });
});
