import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { StoredDocument } from '@docpipe/pipeline';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStackApp, newUser, stackEnv } from '../../stack.js';

describe('GET /v1/documents/:id against MongoDB (FerretDB)', () => {
  let app: FastifyInstance;
  let mongo: MongoClient;
  let owner: Awaited<ReturnType<typeof newUser>>;
  let stranger: Awaited<ReturnType<typeof newUser>>;
  const id = randomUUID();
  const storedAt = new Date('2026-01-02T03:04:06.000Z');

  beforeAll(async () => {
    app = await buildStackApp();
    owner = await newUser(app);
    stranger = await newUser(app);
    const env = stackEnv();
    mongo = new MongoClient(String(env['MONGODB_URI']));
    // Stored the way the consumer stores it (docs/architecture.md, collection documents).
    await mongo
      .db(String(env['MONGODB_DATABASE'] ?? 'docpipe'))
      .collection<StoredDocument>('documents')
      .insertOne({
        _id: id,
        owner: owner.id,
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
        storedAt,
      });
  });
  afterAll(async () => {
    await mongo?.close();
    await app?.close();
  });

  const get = (docId: string, authorization: string) => app.inject({ method: 'GET', url: `/v1/documents/${docId}`, headers: { authorization } });

  it('returns the owner its stored document with id instead of _id and ISO dates', async () => {
    const res = await get(id.toUpperCase(), owner.authorization);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      id,
      owner: owner.id,
      InvoiceNo: 'C536379',
      StockCode: 'D',
      Description: 'Discount',
      Quantity: -1,
      InvoiceDate: '2010-12-01T09:41:00.000Z',
      UnitPrice: 27.5,
      CustomerID: 14527,
      Country: 'United Kingdom',
      total: -27.5,
      cancelled: true,
      ingestedAt: '2026-01-02T03:04:05.000Z',
      storedAt: storedAt.toISOString(),
    });
  });

  it('answers 404 to another user, and for an id not stored (yet)', async () => {
    const theirs = await get(id, stranger.authorization);
    const missing = await get(randomUUID(), owner.authorization);
    expect(theirs.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(theirs.body).toBe(missing.body);
    expect(missing.json()).toMatchObject({ error: 'Not Found' });
  });
});
