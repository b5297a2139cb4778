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

  it.each(['/v1/documents/batch', '/v1/pipelines/orders/documents/batch'])('answers GET %s, the batch route, 405 with Allow: POST', async (url) => {
    const res = await app.inject({ method: 'GET', url, headers: { authorization } });
    expect([res.statusCode, res.headers['allow']]).toEqual([405, 'POST']);
    expect(res.json()).toEqual({ error: 'Method Not Allowed', message: `GET is not served on ${url}; it takes POST` });
  });

  it('looks the id up alone (FerretDB scans the collection for {_id, owner}) and answers 404 for another user\'s document', async () => {
    const other = await buildTestApp();
    try {
      const id = '0190a5f0-0000-7000-8000-0000000000bb';
      const filters: unknown[] = [];
      const stored = {
        _id: id,
        owner: '0190a5f0-0000-7000-8000-000000000002',
        InvoiceNo: 'C536379',
        StockCode: 'D',
        Description: 'Discount',
        Quantity: -1,
        InvoiceDate: new Date('2010-12-01T09:41:00.000Z'),
        UnitPrice: 27.5,
        CustomerID: 14527,
        Country: 'United Kingdom',
        total: -27.5,
        cancelled: true,
        ingestedAt: new Date('2026-01-02T03:04:05.000Z'),
        storedAt: new Date('2026-01-02T03:04:06.000Z'),
      };
      // A stand-in for the collection: what the route asks for, and a document of another user.
      const collections: string[] = [];
      Object.assign(other.mongo.db, {
        collection: (name: string) => {
          collections.push(name);
          return {
            findOne: async (filter: { _id: string }) => {
              filters.push(filter);
              return filter._id === id ? stored : null;
            },
          };
        },
      });
      const get = async (docId: string, sub: string) =>
        other.inject({ method: 'GET', url: `/v1/documents/${docId}`, headers: { authorization: `Bearer ${await other.tokens.sign(sub)}` } });

      const theirs = await get(id.toUpperCase(), '0190a5f0-0000-7000-8000-000000000001');
      const missing = await get('0190a5f0-0000-7000-8000-0000000000cc', '0190a5f0-0000-7000-8000-000000000001');
      expect(filters).toEqual([{ _id: id }, { _id: '0190a5f0-0000-7000-8000-0000000000cc' }]);
      expect(new Set(collections)).toEqual(new Set(['documents']));
      expect(theirs.statusCode).toBe(404);
      expect(theirs.body).toBe(missing.body);

      const own = await get(id, stored.owner);
      expect(own.statusCode).toBe(200);
      expect(own.json()).toMatchObject({ id, owner: stored.owner, InvoiceDate: '2010-12-01T09:41:00.000Z' });
    } finally {
      await other.close();
    }
  });

  it('answers 503 with Retry-After while MongoDB is unreachable', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/documents/0190a5f0-0000-7000-8000-0000000000aa', headers: { authorization } });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
  });
});
