import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validationDetails } from '../../src/plugins/errors.js';
import { buildTestApp } from '../helpers.js';

describe('validationDetails', () => {
  it('lists each missing and unknown property by name', () => {
    expect(
      validationDetails(
        [
          { keyword: 'required', instancePath: '', params: { requiredProperties: ['username', 'password'] }, message: 'x' },
          { keyword: 'boolean', instancePath: '/extra', params: {}, message: 'schema is false' },
          { keyword: 'additionalProperties', instancePath: '', params: { additionalProperties: ['extra'] }, message: 'x' },
        ],
        'body',
      ),
    ).toEqual([
      { field: 'username', reason: 'is required' },
      { field: 'password', reason: 'is required' },
      { field: 'extra', reason: 'is not a known field' },
    ]);
  });

  it('names the body itself "(body)" and explains known patterns in words', () => {
    expect(
      validationDetails(
        [
          { keyword: 'type', instancePath: '', params: { type: 'object' }, message: 'must be object' },
          { keyword: 'pattern', instancePath: '/username', params: { pattern: '^x$' }, message: 'must match pattern "^x$"' },
          { keyword: 'pattern', instancePath: '/other', params: { pattern: '^x$' }, message: 'must match pattern "^x$"' },
        ],
        'body',
      ),
    ).toEqual([
      { field: '(body)', reason: 'must be object' },
      { field: 'username', reason: "may contain only letters, digits, '_', '.' and '-'" },
      { field: 'other', reason: 'must match pattern "^x$"' },
    ]);
  });
});

describe('a method a path is not served for', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(() => app.close());

  it.each([
    ['TRACE', '/v1/documents', 'POST'],
    ['PUT', '/v1/documents', 'POST'],
    ['DELETE', '/v1/documents/01a210da-1377-721f-843e-2833a8195db2', 'GET, HEAD'],
    // GET …/documents/{id} takes `batch` as an id (a 400 for it): the router serves both.
    ['PATCH', '/v1/pipelines/orders/documents/batch?x=1', 'GET, HEAD, POST'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['DELETE', '/docs/static/index.html', 'GET, HEAD'],
  ])('answers %s %s with 405, Allow and a JSON body', async (method, url, allow) => {
    const res = await app.inject({ method: method as 'PUT', url });
    expect(res.statusCode).toBe(405);
    expect(res.headers['allow']).toBe(allow);
    expect(res.json()).toEqual({ error: 'Method Not Allowed', message: `${method} is not served on ${url.split('?')[0]}; it takes ${allow}` });
  });

  it('still answers a path that no route serves with 404', async () => {
    for (const method of ['GET', 'TRACE', 'DELETE'] as const) {
      const res = await app.inject({ method, url: '/v1/documents/batch/extra' });
      expect(res.statusCode).toBe(404);
      expect(res.headers['allow']).toBeUndefined();
    }
  });
});
