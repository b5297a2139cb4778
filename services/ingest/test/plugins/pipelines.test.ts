import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acknowledgeKafka, buildTestApp, invoice, LogCapture, order, PIPELINES_DIR } from '../helpers.js';

const USER = '0190a5f0-0000-7000-8000-000000000001';

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the pipelines plugin', () => {
  it('serves the pipelines of PIPELINES_DIR', async () => {
    const app = await buildTestApp();
    try {
      expect(app.pipelines.list().map((p) => p.name).sort()).toEqual(['invoices', 'orders']);
    } finally {
      await app.close();
    }
  });

  it('with KAFKA_CREATE_TOPICS, answers 503 with Retry-After until the topics exist', async () => {
    const logs = new LogCapture();
    const app = await buildTestApp({ KAFKA_CREATE_TOPICS: 'true' }, logs);
    try {
      const authorization = `Bearer ${await app.tokens.sign(USER)}`;
      for (const [url, payload] of [
        ['/v1/pipelines/orders/documents', order()],
        ['/v1/documents', invoice()],
      ] as const) {
        const res = await app.inject({ method: 'POST', url, payload, headers: { authorization } });
        expect(res.statusCode).toBe(503);
        expect(res.headers['retry-after']).toBe('2');
        expect(res.json()).toEqual({ error: 'Service Unavailable', message: expect.stringMatching(/^the topics of pipeline "(orders|invoices)" are being created/) });
      }
    } finally {
      await app.close();
    }
  });

  it('switches a changed file live, keeps the old generation of a refused one, and drops a removed one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingest-pipelines-'));
    await cp(PIPELINES_DIR, dir, { recursive: true });
    const logs = new LogCapture();
    const app = await buildTestApp({ PIPELINES_DIR: dir }, logs);
    try {
      acknowledgeKafka(app);
      const authorization = `Bearer ${await app.tokens.sign(USER)}`;
      const post = (doc: object) => app.inject({ method: 'POST', url: '/v1/pipelines/orders/documents', payload: doc, headers: { authorization } });
      const first = app.pipelines.get('orders');
      expect((await post(order({ currency: 'CHF' }))).statusCode).toBe(422);

      const spec = await readFile(join(dir, 'orders.yaml'), 'utf8');
      await writeFile(join(dir, 'orders.yaml'), spec.replace('enum: [EUR, GBP, USD]', 'enum: [EUR, GBP, USD, CHF]'));
      await until(() => app.pipelines.get('orders')?.revision !== first?.revision, 'the switch to the new orders spec');
      expect((await post(order({ currency: 'CHF' }))).statusCode).toBe(202);

      const second = app.pipelines.get('orders');
      await writeFile(join(dir, 'orders.yaml'), spec.replace('type: object', 'type: [not a type'));
      await until(() => logs.text.includes('pipeline refused'), 'the refusal of the broken spec');
      expect(app.pipelines.get('orders')).toBe(second);

      await rm(join(dir, 'orders.yaml'));
      await until(() => app.pipelines.get('orders') === undefined, 'the removal of orders');
      expect((await post(order())).statusCode).toBe(404);
    } finally {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
