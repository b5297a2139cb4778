import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { invoice, LogCapture } from '../helpers.js';
import { buildStackApp, newUser, stackEnv } from '../stack.js';

/** A port that nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('readiness and Kafka outages against the stack', () => {
  let app: FastifyInstance;
  let noKafka: FastifyInstance;
  beforeAll(async () => {
    app = await buildStackApp();
    // Same Postgres and MongoDB, but Kafka on a closed port; its topics taken as existing, as in a
    // cluster, so that the answers are those of a Kafka outage, not of topics being created.
    const kafkaDown = { KAFKA_BROKERS: `127.0.0.1:${await closedPort()}`, KAFKA_ACK_TIMEOUT_MS: '1000', KAFKA_CREATE_TOPICS: 'false' };
    noKafka = await buildApp(loadConfig(stackEnv(kafkaDown)), {
      logStream: new LogCapture(),
    });
  });
  afterAll(async () => {
    await noKafka?.close();
    await app?.close();
  });

  it('/readyz is 200 when Postgres, Kafka and MongoDB are up', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready' });
  });

  it('/readyz is 503 naming only Kafka when Kafka is unreachable', async () => {
    const res = await noKafka.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().details).toEqual([{ field: 'kafka', reason: 'is not reachable' }]);
  });

  it('answers documents with 503 and Retry-After, never 202, while Kafka is unreachable', async () => {
    const user = await newUser(noKafka); // Postgres still works: users and tokens do too
    const headers = { 'content-type': 'application/json', authorization: user.authorization };
    const single = await noKafka.inject({ method: 'POST', url: '/v1/documents', payload: JSON.stringify(invoice()), headers });
    expect(single.statusCode).toBe(503);
    expect(single.headers['retry-after']).toBe('2');
    expect(single.json()).toEqual({ error: 'Service Unavailable', message: 'Kafka is unavailable, nothing was written; retry later' });
    const batch = await noKafka.inject({
      method: 'POST',
      url: '/v1/documents/batch',
      payload: `${JSON.stringify(invoice())}\nnot json`,
      headers: { ...headers, 'content-type': 'application/x-ndjson' },
    });
    expect(batch.statusCode).toBe(503);
    expect(batch.headers['retry-after']).toBe('2');
  });
});
