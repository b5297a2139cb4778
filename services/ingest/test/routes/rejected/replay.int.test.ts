import { randomUUID } from 'node:crypto';
import type { StoredRejection } from '@docpipe/pipeline';
import type { FastifyInstance } from 'fastify';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineNamespace, replayId } from '../../../src/lib/ids.js';
import { order } from '../../helpers.js';
import { buildStackApp, newUser, stackEnv, TopicReader } from '../../stack.js';

describe('replaying rejected orders against MongoDB (FerretDB) and Kafka', () => {
  const adminName = `it-admin-${randomUUID().slice(0, 8)}`;
  let app: FastifyInstance;
  let mongo: MongoClient;
  let db: Db;
  let admin: Awaited<ReturnType<typeof newUser>>;
  beforeAll(async () => {
    app = await buildStackApp({ ADMIN_USERNAMES: `someone-else,${adminName}` });
    const created = await app.inject({ method: 'POST', url: '/v1/users', payload: { username: adminName, password: 'long-enough-password' } });
    expect(created.statusCode).toBe(201);
    const token = await app.inject({ method: 'POST', url: '/v1/token', payload: { username: adminName, password: 'long-enough-password' } });
    admin = { id: created.json().id, username: adminName, password: '', authorization: `Bearer ${token.json().access_token}` };
    const env = stackEnv();
    mongo = new MongoClient(String(env['MONGODB_URI']));
    db = mongo.db(String(env['MONGODB_DATABASE'] ?? 'docpipe'));
  });
  afterAll(async () => {
    await mongo?.close();
    await app?.close();
  });

  const replay = (authorization: string, payload: object) =>
    app.inject({ method: 'POST', url: '/v1/pipelines/orders/rejected/replay', payload, headers: { authorization } });

  it('is refused to a user without the admin role', async () => {
    const user = await newUser(app);
    const res = await replay(user.authorization, {});
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: 'Forbidden' });
  });

  it('replays what the current schema accepts once, and records why the rest still fails', async () => {
    // Rejections as the consumer stores them, in a window of their own.
    const ingestedAt = new Date(Date.UTC(2001, 0, 1) + Math.floor(Math.random() * 1e9));
    const window = { from: new Date(ingestedAt.getTime() - 1).toISOString(), to: new Date(ingestedAt.getTime() + 1).toISOString() };
    const owner = randomUUID();
    const base = { owner, pipeline: 'orders', ingestedAt, storedAt: new Date(), errors: [{ field: 'currency', reason: 'was not known then' }] };
    const passes = { _id: randomUUID(), ...base, doc: order() };
    const fails = { _id: randomUUID(), ...base, doc: order({ lines: [{ sku: 'TEA-01', quantity: 0, unitPrice: 1 }] }) };
    const raw = { _id: randomUUID(), ...base, raw: '{"orderId": 5' };
    const rejected = db.collection<StoredRejection>('orders_rejected');
    await rejected.insertMany([passes, fails, raw]);

    const reader = await TopicReader.start(['orders']);
    try {
      const first = await replay(admin.authorization, window);
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({ examined: 2, replayed: 1, alreadyStored: 0, stillRejected: 1 });
      const id = replayId(passes._id, pipelineNamespace('orders'));
      const [record] = await reader.records(id);
      expect(record?.value).toEqual({ id, owner, receivedAt: ingestedAt.toISOString(), pipeline: 'orders', revision: app.pipelines.get('orders')?.revision, doc: order() });

      const marked = await rejected.findOne({ _id: fails._id });
      expect(marked).toMatchObject({
        recheckedBy: app.pipelines.get('orders')?.revision,
        recheckedAt: expect.any(Date),
        currentErrors: [{ field: 'lines[0].quantity', reason: expect.any(String) }],
        errors: base.errors,
      });

      // Once the consumer stored the replayed document, a second replay produces nothing.
      await db.collection('orders').insertOne({ _id: id as never, owner, ...order(), ingestedAt, storedAt: new Date() });
      const second = await replay(admin.authorization, window);
      expect(second.json()).toEqual({ examined: 2, replayed: 0, alreadyStored: 1, stillRejected: 1 });
    } finally {
      await reader.stop();
      await rejected.deleteMany({ _id: { $in: [passes._id, fails._id, raw._id] } });
    }
  });
});
