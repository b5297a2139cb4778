import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogCapture } from '../helpers.js';
import { buildStackApp } from '../stack.js';

const json = { 'content-type': 'application/json' };

describe('POST /v1/token against Postgres', () => {
  let app: FastifyInstance;
  const logs = new LogCapture();
  const username = `it-${randomUUID().slice(0, 8)}`;
  const password = `Secret-${randomUUID()}`;
  let userId: string;
  beforeAll(async () => {
    app = await buildStackApp({ LOG_LEVEL: 'trace', TOKEN_RATE_LIMIT_MAX: '1000' }, logs);
    userId = (await app.inject({ method: 'POST', url: '/v1/users', payload: { username, password }, headers: json })).json().id;
  });
  afterAll(() => app?.close());

  const login = (name: string, pw: string) => app.inject({ method: 'POST', url: '/v1/token', payload: { username: name, password: pw }, headers: json });

  it('issues a bearer token for the right password, usable on the document routes', async () => {
    const res = await login(username, password);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: 'HS256', kid: expect.any(String) });
    expect(decodeJwt(body.access_token)).toMatchObject({ sub: userId, iss: 'docpipe', aud: 'docpipe-api' });

    const read = await app.inject({ method: 'GET', url: `/v1/documents/${randomUUID()}`, headers: { authorization: `Bearer ${body.access_token}` } });
    expect(read.statusCode).toBe(404);
    expect(logs.text).not.toContain(body.access_token.split('.')[2]);
    expect(logs.text).not.toContain(password);
  });

  it('answers a wrong password and an unknown user alike: 401, same body, same headers', async () => {
    const wrong = await login(username, 'not-the-password');
    const unknown = await login(`nobody-${randomUUID().slice(0, 8)}`, 'not-the-password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toBe(wrong.body);
    expect(wrong.json()).toEqual({ error: 'Unauthorized', message: 'invalid username or password' });
    expect(unknown.headers['www-authenticate']).toBe(wrong.headers['www-authenticate']);
  });

  it('spends the same argon2 work on unknown users (timing does not reveal names)', async () => {
    const time = async (name: string) => {
      const start = performance.now();
      await login(name, 'not-the-password');
      return performance.now() - start;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      known.push(await time(username));
      unknown.push(await time(`nobody-${i}`));
    }
    expect(Math.min(...unknown)).toBeGreaterThan(Math.min(...known) * 0.5);
  });
});

describe('token rate limit', () => {
  it('answers 429 with Retry-After past TOKEN_RATE_LIMIT_MAX per window', async () => {
    const app = await buildStackApp({ TOKEN_RATE_LIMIT_MAX: '3', TOKEN_RATE_LIMIT_WINDOW: '1m' });
    try {
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 5; i++) {
        last = await app.inject({ method: 'POST', url: '/v1/token', payload: { username: 'nobody', password: 'whatever' }, headers: json });
        statuses.push(last.statusCode);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
      expect(last?.json()).toMatchObject({ error: 'Too Many Requests' });
    } finally {
      await app.close();
    }
  });
});

describe('token roles', () => {
  it('gives the users of ADMIN_USERNAMES the admin role, everyone else the user role', async () => {
    const adminName = `it-admin-${randomUUID().slice(0, 8)}`;
    const userName = `it-${randomUUID().slice(0, 8)}`;
    const app = await buildStackApp({ ADMIN_USERNAMES: `${adminName},nobody-else` });
    try {
      const roleOf = async (username: string) => {
        const password = `Secret-${randomUUID()}`;
        await app.inject({ method: 'POST', url: '/v1/users', payload: { username, password }, headers: json });
        const token = (await app.inject({ method: 'POST', url: '/v1/token', payload: { username, password }, headers: json })).json().access_token;
        return decodeJwt(token)['role'];
      };
      expect(await roleOf(adminName)).toBe('admin');
      expect(await roleOf(userName)).toBe('user');
    } finally {
      await app.close();
    }
  });
});
