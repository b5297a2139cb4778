import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers.js';

describe('operations routes with every dependency unreachable', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(() => app.close());

  it('/healthz answers 200: the process is alive', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 503 naming each dependency that is down, without internals', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.json()).toEqual({
      error: 'Service Unavailable',
      message: 'not ready: postgres, kafka, mongo down',
      details: [
        { field: 'postgres', reason: 'is not reachable' },
        { field: 'kafka', reason: 'is not reachable' },
        { field: 'mongo', reason: 'is not reachable' },
      ],
    });
    expect(res.body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|secret/);
  });

  it('/metrics exposes the documented metrics in Prometheus text format', async () => {
    await app.inject({ method: 'GET', url: '/healthz' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [
      'ingest_http_request_duration_seconds',
      'ingest_documents_accepted_total',
      'ingest_documents_rejected_total',
      'ingest_kafka_produce_duration_seconds',
      'ingest_kafka_produce_errors_total',
      'ingest_password_hash_queue_rejections_total',
      'ingest_users',
      'ingest_user_counts',
      'ingest_process_cpu_seconds_total',
    ]) {
      expect(res.body).toContain(`# TYPE ${name} `);
    }
    expect(res.body).toMatch(/ingest_http_request_duration_seconds_count\{method="GET",route="\/healthz",status_code="200"\} [1-9]\d*$/m);
    // Postgres is down: the row gauges say "unknown" rather than a made-up count.
    expect(res.body).toMatch(/^ingest_users nan$/im);
    expect(res.body).toMatch(/^ingest_user_counts nan$/im);
  });

  it('labels unknown URLs with a fixed route label, keeping the label set bounded', async () => {
    await app.inject({ method: 'GET', url: '/no/such/path/123' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.body).toContain('route="unmatched",status_code="404"');
    expect(res.body).not.toContain('/no/such/path');
  });
});
