import { ConfigError } from '@docpipe/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { BENCHMARK_OWNER } from '../src/plugins/auth.js';
import { buildTestApp, invoice, LogCapture, unreachableEnv } from './helpers.js';

// AUTH_MODE=none exists for the benchmark's "without auth" measurement only.
describe('AUTH_MODE', () => {
  it('is jwt unless set, and refuses anything but jwt or none', () => {
    expect(loadConfig(unreachableEnv()).authMode).toBe('jwt');
    expect(() => loadConfig(unreachableEnv({ AUTH_MODE: 'off' }))).toThrow(ConfigError);
    expect(() => loadConfig(unreachableEnv({ AUTH_MODE: 'off' }))).toThrow(/AUTH_MODE/);
  });

  it('none: warns loudly at boot and takes requests without a token as the benchmark user', async () => {
    const logs = new LogCapture();
    const app = await buildTestApp({ AUTH_MODE: 'none' }, logs);
    try {
      const res = await app.inject({ method: 'POST', url: '/v1/documents', payload: invoice() });
      // Kafka is unreachable here: 503, where jwt mode answers 401.
      expect(res.statusCode).toBe(503);
      const request = { headers: {}, owner: '' } as unknown as FastifyRequest;
      await app.authenticate(request, {} as FastifyReply);
      expect(request.owner).toBe(BENCHMARK_OWNER);
      expect(logs.text).toMatch(/AUTH_MODE=none: AUTHENTICATION IS OFF/);
    } finally {
      await app.close();
    }
  });

  it('jwt: the same request is a 401', async () => {
    const app = await buildTestApp();
    try {
      expect((await app.inject({ method: 'POST', url: '/v1/documents', payload: invoice() })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});
