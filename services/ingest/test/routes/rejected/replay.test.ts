import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineNamespace, replayId } from '../../../src/lib/ids.js';
import { acknowledgeKafka, buildTestApp, order, repositoryPipeline, type Published } from '../../helpers.js';

const ADMIN = '0190a5f0-0000-7000-8000-0000000000ad';
const USER = '0190a5f0-0000-7000-8000-000000000001';
const URL = '/v1/pipelines/orders/rejected/replay';

interface Query {
  readonly collection: string;
  readonly filter: unknown;
  readonly options?: unknown;
}

/**
 * A stand-in for MongoDB's collections: `orders_rejected` holds `rejections` (the filter is
 * recorded, not applied), `orders` holds what Kafka was handed, as the consumer would store it.
 */
function standInMongo(app: FastifyInstance, rejections: object[], published: Published[]) {
  const queries: Query[] = [];
  const updates: unknown[] = [];
  const stored = () => new Set(published.flatMap((p) => p.records.map((r) => r.key)));
  Object.assign(app.mongo.db, {
    collection: (collection: string) => ({
      find: (filter: { _id?: { $in: string[] } }, options?: unknown) => {
        queries.push({ collection, filter, options });
        const found = collection === 'orders' ? (filter._id?.$in ?? []).filter((id) => stored().has(id)).map((_id) => ({ _id })) : rejections;
        return { toArray: async () => found, close: async () => {}, [Symbol.asyncIterator]: async function* () { yield* found; } };
      },
      bulkWrite: async (operations: unknown[]) => void updates.push({ collection, operations }),
    }),
  });
  return { queries, updates };
}

describe('POST /v1/pipelines/:pipeline/rejected/replay', () => {
  let app: FastifyInstance;
  let admin: string;
  let user: string;
  let published: Published[];
  beforeAll(async () => {
    app = await buildTestApp();
    admin = `Bearer ${await app.tokens.sign(ADMIN, 'admin')}`;
    user = `Bearer ${await app.tokens.sign(USER)}`;
    published = acknowledgeKafka(app);
  });
  afterAll(() => app.close());

  const replay = (authorization: string | undefined, payload?: object, url = URL) =>
    app.inject({ method: 'POST', url, ...(payload === undefined ? {} : { payload }), headers: authorization === undefined ? {} : { authorization } });

  it('answers 401 without a token and 403, with a JSON body, for a token without the admin role', async () => {
    expect((await replay(undefined)).statusCode).toBe(401);
    const res = await replay(user);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: 'Forbidden', message: expect.stringMatching(/admin role/) });
    // Not even whether the pipeline exists is told.
    expect((await replay(user, undefined, '/v1/pipelines/nope/rejected/replay')).statusCode).toBe(403);
  });

  it('answers 404 for an unknown pipeline and 400 for a bad window', async () => {
    const unknown = await replay(admin, undefined, '/v1/pipelines/nope/rejected/replay');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().details).toEqual([{ field: 'pipeline', reason: 'must be one of: invoices, orders' }]);
    expect((await replay(admin, { from: 'yesterday' })).json()).toMatchObject({ error: 'Bad Request', details: [{ field: 'from' }] });
    expect((await replay(admin, { since: '2026-01-01T00:00:00Z' })).statusCode).toBe(400);
    // A JSON null is a body that is not a window, unlike no body at all.
    const nothing = await app.inject({ method: 'POST', url: URL, payload: 'null', headers: { authorization: admin, 'content-type': 'application/json' } });
    expect(nothing.statusCode).toBe(400);
  });

  it('takes every window the schema allows: one that holds nothing examines nothing, a bound alone may be before 1970, 23:59:60 is a second', async () => {
    const { queries } = standInMongo(app, [], published);
    const bounds = () => (queries.at(-1)?.filter as { ingestedAt: { $gte: Date; $lte: Date } }).ingestedAt;
    for (const window of [{ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, { from: '2999-01-01T00:00:00Z' }]) {
      const empty = await replay(admin, window);
      expect([empty.statusCode, empty.json()]).toEqual([200, { examined: 0, replayed: 0, alreadyStored: 0, stillRejected: 0 }]);
    }
    expect(queries).toEqual([]);

    expect((await replay(admin, { to: '0049-11-17T01:15:20.759Z' })).statusCode).toBe(200);
    expect(bounds()).toEqual({ $gte: new Date(-8.64e15), $lte: new Date('0049-11-17T01:15:20.759Z') });
    expect((await replay(admin)).statusCode).toBe(200);
    expect(bounds().$gte).toEqual(new Date(-8.64e15));

    expect((await replay(admin, { from: '2016-12-31T23:59:60Z', to: '2016-12-31t23:59:60.5z' })).statusCode).toBe(200);
    expect(bounds()).toEqual({ $gte: new Date('2017-01-01T00:00:00Z'), $lte: new Date('2017-01-01T00:00:00.500Z') });
  });

  it('replays what passes now, counts what still fails, and stores nothing new the second time', async () => {
    const ingestedAt = new Date('2026-01-05T10:00:00.000Z');
    const owner = '0190a5f0-0000-7000-8000-0000000000ee';
    const rejections = [
      { _id: '0190a5f0-0000-7000-8000-000000000a01', owner, ingestedAt, doc: order() },
      { _id: '0190a5f0-0000-7000-8000-000000000a02', owner, ingestedAt, doc: order({ lines: [{ sku: 'X', quantity: 0, unitPrice: 1 }] }) },
    ];
    const { queries, updates } = standInMongo(app, rejections, published);
    published.length = 0;

    const first = await replay(admin, { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ examined: 2, replayed: 1, alreadyStored: 0, stillRejected: 1 });
    expect(queries[0]).toEqual({
      collection: 'orders_rejected',
      filter: { doc: { $exists: true }, ingestedAt: { $gte: new Date('2026-01-01T00:00:00Z'), $lte: new Date('2026-02-01T00:00:00Z') } },
      options: expect.objectContaining({ batchSize: expect.any(Number) }),
    });
    const id = replayId('0190a5f0-0000-7000-8000-000000000a01', pipelineNamespace('orders'));
    expect(published.map((p) => ({ topic: p.topic, values: p.records.map((r) => JSON.parse(r.value as string)) }))).toEqual([
      { topic: 'orders', values: [{ id, owner, receivedAt: ingestedAt.toISOString(), pipeline: 'orders', revision: repositoryPipeline('orders').revision, doc: order() }] },
    ]);
    expect(updates).toEqual([
      {
        collection: 'orders_rejected',
        operations: [
          {
            updateOne: {
              filter: { _id: '0190a5f0-0000-7000-8000-000000000a02' },
              update: { $set: { recheckedBy: repositoryPipeline('orders').revision, recheckedAt: expect.any(Date), currentErrors: [{ field: 'lines[0].quantity', reason: expect.any(String) }] } },
            },
          },
        ],
      },
    ]);

    const second = await replay(admin);
    expect(second.json()).toEqual({ examined: 2, replayed: 0, alreadyStored: 1, stillRejected: 1 });
    expect(published).toHaveLength(1);
  });

  it('needs MongoDB: 503 with Retry-After while it is unreachable', async () => {
    const fresh = await buildTestApp();
    try {
      const res = await fresh.inject({ method: 'POST', url: URL, headers: { authorization: `Bearer ${await fresh.tokens.sign(ADMIN, 'admin')}` } });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('2');
    } finally {
      await fresh.close();
    }
  });
});
