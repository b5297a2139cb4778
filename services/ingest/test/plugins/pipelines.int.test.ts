import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafkaClient } from '@docpipe/kafka';
import { stackKafkaAdmin } from '@docpipe/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoice, order, PIPELINES_DIR } from '../helpers.js';
import { buildStackApp, newUser, TopicReader } from '../stack.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

describe('pipelines against the stack (KAFKA_CREATE_TOPICS)', () => {
  // A pipeline no run has served before, so its topics do not exist yet.
  const name = `it-${randomUUID().slice(0, 8)}`;
  const kafka = createKafkaClient({ ...stackKafkaAdmin('ingest-it'), logger: silent });
  let dir: string;
  let app: FastifyInstance;
  let user: Awaited<ReturnType<typeof newUser>>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingest-pipelines-'));
    await cp(PIPELINES_DIR, dir, { recursive: true });
    const spec = (await readFile(join(dir, 'orders.yaml'), 'utf8')).replace('name: orders', `name: ${name}`).replace('$id: Order', '$id: ItOrder');
    await writeFile(join(dir, `${name}.yaml`), spec);
    app = await buildStackApp({ PIPELINES_DIR: dir, KAFKA_CREATE_TOPICS: 'true' });
    user = await newUser(app);
  });
  afterAll(async () => {
    await app?.close();
    await rm(dir, { recursive: true, force: true });
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [name, `${name}.rejected`, `${name}.dlq`, `${name}.inbox`] }).catch(() => undefined);
    await admin.disconnect();
  });

  const post = (path: string, payload: object) =>
    app.inject({ method: 'POST', url: `/v1/pipelines/${path}`, payload, headers: { authorization: user.authorization } });

  it("creates a new pipeline's topics before it takes documents, then puts them on its own topic", async () => {
    const deadline = Date.now() + 30_000;
    let res = await post(`${name}/documents`, order());
    while (res.statusCode === 503) {
      if (Date.now() > deadline) throw new Error(`the topics of ${name} were not created: ${res.body}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      res = await post(`${name}/documents`, order());
    }
    const admin = kafka.admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics).toEqual(expect.arrayContaining([name, `${name}.rejected`, `${name}.dlq`, `${name}.inbox`]));

    const reader = await TopicReader.start([name, `${name}.rejected`]);
    try {
      const accepted = await post(`${name}/documents`, order());
      expect(accepted.statusCode).toBe(202);
      const [record] = await reader.records(accepted.json().id);
      expect(record).toMatchObject({ topic: name, value: { owner: user.id, pipeline: name, revision: app.pipelines.get(name)?.revision, doc: order() } });

      const refused = await post(`${name}/documents`, order({ lines: [{ sku: 'TEA-01', quantity: 0, unitPrice: 3.5 }] }));
      expect(refused.statusCode).toBe(422);
      expect(refused.json().details).toEqual([{ field: 'lines[0].quantity', reason: expect.any(String) }]);
    } finally {
      await reader.stop();
    }
  });

  it('serves a new generation whose topics exist from its first request, without a 503', async () => {
    const before = app.pipelines.get('invoices')?.revision;
    const spec = await readFile(join(dir, 'invoices.yaml'), 'utf8');
    await writeFile(join(dir, 'invoices.yaml'), spec.replace('description: One invoice line', 'description: Another invoice line'));
    const deadline = Date.now() + 10_000;
    while (app.pipelines.get('invoices')?.revision === before) {
      if (Date.now() > deadline) throw new Error('the new invoices generation was not served');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const res = await app.inject({ method: 'POST', url: '/v1/documents', payload: invoice(), headers: { authorization: user.authorization } });
    expect(res.statusCode).toBe(202);
  });

  it('takes an orders batch onto the orders topic', async () => {
    const reader = await TopicReader.start(['orders', 'orders.rejected']);
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/pipelines/orders/documents/batch',
        payload: [JSON.stringify(order()), JSON.stringify(order({ customer: { id: 1 } }))].join('\n'),
        headers: { authorization: user.authorization, 'content-type': 'application/x-ndjson' },
      });
      expect(res.statusCode).toBe(202);
      const { results } = res.json();
      expect(results[1]).toEqual({ index: 1, errors: [{ field: 'customer.email', reason: 'is required' }] });
      const [record] = await reader.records(results[0].id);
      expect(record).toMatchObject({ topic: 'orders', value: { pipeline: 'orders' } });
    } finally {
      await reader.stop();
    }
  });
});
