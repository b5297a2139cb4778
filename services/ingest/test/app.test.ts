import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { buildTestApp, LogCapture, testConfig } from './helpers.js';

describe('the app as a whole', () => {
  it('answers unknown routes with a JSON 404', async () => {
    const app = await buildTestApp();
    try {
      const res = await app.inject({ method: 'GET', url: '/v2/nothing?x=1' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: 'Not Found', message: 'no route for GET /v2/nothing' });
    } finally {
      await app.close();
    }
  });

  it('answers an unexpected error with a bare 500: no message, no stack; the log has them', async () => {
    const logs = new LogCapture();
    const app = await buildApp(testConfig(), { logStream: logs });
    app.get('/boom', async () => {
      throw new Error('db password is hunter2');
    });
    try {
      const res = await app.inject({ method: 'GET', url: '/boom' });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: 'Internal Server Error' });
      expect(res.body).not.toMatch(/hunter2|at |stack/);
      expect(logs.text).toContain('db password is hunter2');
    } finally {
      await app.close();
    }
  });

  it('never logs a password, a token, or the JWT keys, even at trace level', async () => {
    const logs = new LogCapture();
    const password = 'Pa55word-that-must-not-leak';
    const app = await buildTestApp({ LOG_LEVEL: 'trace' }, logs);
    try {
      const token = await app.tokens.sign('0190a5f0-0000-7000-8000-000000000001');
      const json = { 'content-type': 'application/json' };
      await app.inject({ method: 'POST', url: '/v1/users', payload: JSON.stringify({ username: 'leaky', password }), headers: json });
      await app.inject({ method: 'POST', url: '/v1/token', payload: JSON.stringify({ username: 'leaky', password }), headers: json });
      await app.inject({ method: 'POST', url: '/v1/documents', payload: '{', headers: { ...json, authorization: `Bearer ${token}` } });
      await app.inject({ method: 'POST', url: '/v1/documents', payload: '{}', headers: { ...json, authorization: `Bearer ${token}x` } });
      await app.inject({ method: 'GET', url: '/readyz' });
      expect(logs.lines.length).toBeGreaterThan(5); // request logging is on at trace
      expect(logs.text).not.toContain(password);
      expect(logs.text).not.toContain(token.split('.')[2]);
      expect(logs.text).not.toContain('first-signing-secret');
      expect(logs.text).not.toContain('secret@'); // the DATABASE_URL password
    } finally {
      await app.close();
    }
  });

  it('keeps per-request log lines off at the default level (hot path)', async () => {
    const logs = new LogCapture();
    const app = await buildTestApp({ LOG_LEVEL: 'info' }, logs);
    try {
      const before = logs.lines.length;
      for (let i = 0; i < 5; i++) await app.inject({ method: 'GET', url: '/healthz' });
      expect(logs.lines.slice(before).filter((l) => l.includes('/healthz'))).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
