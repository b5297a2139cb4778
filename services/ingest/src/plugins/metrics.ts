import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { serviceRegistry } from '@docpipe/runtime';

export interface IngestMetrics {
  readonly registry: Registry;
  readonly accepted: Counter<'endpoint' | 'pipeline'>;
  readonly rejected: Counter<'endpoint' | 'reason' | 'pipeline'>;
  readonly produceDuration: Histogram;
  readonly produceErrors: Counter;
  readonly hashQueueRejections: Counter;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: IngestMetrics;
  }
}

interface RowCounts {
  readonly users: number;
  readonly userCounts: number;
}

/** Prometheus metrics named as in docs/architecture.md, in the app's own registry. */
export default fp(
  async function metrics(app: FastifyInstance) {
    const registry = serviceRegistry('ingest_');

    const requestDuration = new Histogram({
      name: 'ingest_http_request_duration_seconds',
      help: 'HTTP request duration by route template and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });

    // Both gauges come from one query per scrape: whichever collect() runs first starts it.
    let counting: Promise<RowCounts | undefined> | undefined;
    const countRows = () => {
      counting ??= app.pg
        .query<{ users: string; user_counts: string }>(
          'SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM users_count) AS user_counts',
        )
        .then(
          ({ rows: [row] }) => (row ? { users: Number(row.users), userCounts: Number(row.user_counts) } : undefined),
          (error: unknown) => {
            app.log.warn({ err: error }, 'cannot count users for /metrics');
            return undefined;
          },
        )
        .finally(() => (counting = undefined));
      return counting;
    };
    // When Postgres cannot answer, the value is NaN (a gap on graphs), not a stale or made-up count.
    const rowGauge = (name: string, help: string, pick: (counts: RowCounts) => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        async collect() {
          const counts = await countRows();
          this.set(counts ? pick(counts) : Number.NaN);
        },
      });
    rowGauge('ingest_users', 'Rows in the users table, read at scrape time.', (c) => c.users);
    rowGauge('ingest_user_counts', 'Rows in the users_count table, read at scrape time.', (c) => c.userCounts);

    app.decorate('metrics', {
      registry,
      accepted: new Counter({
        name: 'ingest_documents_accepted_total',
        help: "Documents acknowledged by Kafka on their pipeline's documents topic.",
        labelNames: ['endpoint', 'pipeline'],
        registers: [registry],
      }),
      rejected: new Counter({
        name: 'ingest_documents_rejected_total',
        help: 'Documents refused by validation, by the kind of their first error.',
        labelNames: ['endpoint', 'reason', 'pipeline'],
        registers: [registry],
      }),
      produceDuration: new Histogram({
        name: 'ingest_kafka_produce_duration_seconds',
        help: 'Time from handing records to the producer until Kafka acknowledged them (acks=all).',
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers: [registry],
      }),
      produceErrors: new Counter({
        name: 'ingest_kafka_produce_errors_total',
        help: 'Producer calls that failed or timed out (answered with 503).',
        registers: [registry],
      }),
      hashQueueRejections: new Counter({
        name: 'ingest_password_hash_queue_rejections_total',
        help: 'Registrations and logins refused with 503 because the password hashing queue was full.',
        registers: [registry],
      }),
    });

    app.addHook('onResponse', async (request, reply) => {
      requestDuration.observe(
        // The route template, never the raw URL, keeps the label set bounded.
        { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: reply.statusCode },
        reply.elapsedTime / 1000,
      );
    });
  },
  { name: 'metrics', dependencies: ['postgres'] },
);
