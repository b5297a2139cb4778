import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers.js';

interface Operation {
  security?: unknown[];
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: Record<string, { schema: unknown }> }>;
}

describe('OpenAPI at /docs', () => {
  let app: FastifyInstance;
  let spec: { openapi: string; paths: Record<string, Record<string, Operation>>; components: Record<string, Record<string, unknown>> };
  beforeAll(async () => {
    app = await buildTestApp();
    spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
  });
  afterAll(() => app.close());

  it('is OpenAPI 3.1 with a bearer scheme and the shared schemas as components', () => {
    expect(spec.openapi).toBe('3.1.0');
    expect(spec.components['securitySchemes']).toEqual({ bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } });
    expect(Object.keys(spec.components['schemas'] ?? {})).toEqual(expect.arrayContaining(['Invoice', 'FieldError', 'Error']));
  });

  it('documents every route', () => {
    expect(Object.keys(spec.paths).sort()).toEqual(
      ['/healthz', '/metrics', '/readyz', '/v1/documents', '/v1/documents/batch', '/v1/documents/{id}', '/v1/token', '/v1/users'].sort(),
    );
  });

  it('documents the document routes: bearer auth, Idempotency-Key, bodies and error answers', () => {
    const single = spec.paths['/v1/documents']?.['post'] as Operation;
    expect(single.security).toEqual([{ bearerAuth: [] }]);
    expect(single.parameters).toContainEqual(expect.objectContaining({ in: 'header', name: 'idempotency-key' }));
    expect(Object.keys(single.responses).sort()).toEqual(['202', '400', '401', '413', '415', '422', '503']);
    expect(single.responses['503']?.headers).toHaveProperty('retry-after');
    expect(JSON.stringify(single.responses['422']?.content)).toContain('#/components/schemas/Error');
    expect(JSON.stringify(single.requestBody)).toContain('#/components/schemas/Invoice');

    const batch = spec.paths['/v1/documents/batch']?.['post'] as Operation;
    expect(Object.keys(batch.requestBody?.content ?? {}).sort()).toEqual(['application/json', 'application/x-ndjson']);
    expect(Object.keys(batch.responses)).toEqual(expect.arrayContaining(['202', '413', '422']));
  });

  it('documents the rate limit on /v1/token', () => {
    const token = spec.paths['/v1/token']?.['post'] as Operation;
    expect(token.responses['429']?.headers).toHaveProperty('retry-after');
    expect(token.responses['401']).toBeDefined();
  });

  it('serves the UI', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });
});
