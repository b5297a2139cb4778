import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogCapture } from '../helpers.js';
import { buildStackApp, stackPool } from '../stack.js';

const json = { 'content-type': 'application/json' };

describe('POST /v1/users against Postgres', () => {
  let app: FastifyInstance;
  let db: pg.Pool;
  const logs = new LogCapture();
  beforeAll(async () => {
    app = await buildStackApp({ LOG_LEVEL: 'trace' }, logs);
    db = stackPool();
  });
  afterAll(async () => {
    await app?.close();
    await db?.end();
  });

  const register = (username: string, password = 'long-enough-password') =>
    app.inject({ method: 'POST', url: '/v1/users', payload: { username, password }, headers: json });

  it('creates a user (201) and stores only an argon2id hash', async () => {
    const username = `it-${randomUUID().slice(0, 8)}`;
    const password = `Secret-${randomUUID()}`;
    const res = await register(username, password);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), username, createdAt: expect.any(String) });
    expect(Math.abs(Date.parse(body.createdAt) - Date.now())).toBeLessThan(60_000);

    const { rows } = await db.query('SELECT id, password_hash FROM users WHERE username = $1', [username]);
    expect(rows).toEqual([{ id: body.id, password_hash: expect.stringMatching(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/) }]);
    expect(rows[0].password_hash).not.toContain(password);
    expect(logs.text).not.toContain(password);
  });

  it('answers 409 when the name is taken', async () => {
    const username = `it-${randomUUID().slice(0, 8)}`;
    expect((await register(username)).statusCode).toBe(201);
    const again = await register(username, 'another-password');
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ error: 'Conflict', message: 'this username is taken' });
  });

  it('lets exactly one of concurrent registrations of one name win', async () => {
    const username = `it-${randomUUID().slice(0, 8)}`;
    const statuses = (await Promise.all(Array.from({ length: 5 }, () => register(username)))).map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(4);
  });

  it('reports the users table size as ingest_users at scrape time', async () => {
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    const { rows } = await db.query<{ users: string; counts: string }>(
      'SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM users_count) AS counts',
    );
    expect(metrics.body).toMatch(new RegExp(`^ingest_users ${rows[0]?.users}$`, 'm'));
    expect(metrics.body).toMatch(new RegExp(`^ingest_user_counts ${rows[0]?.counts}$`, 'm'));
  });
});
