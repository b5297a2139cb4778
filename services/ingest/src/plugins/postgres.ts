import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import pg from 'pg';

declare module 'fastify' {
  interface FastifyInstance {
    pg: pg.Pool;
  }
}

/** The Postgres pool (users, idempotency keys). Connections open lazily, so boot never waits on Postgres. */
export default fp(
  async function postgres(app: FastifyInstance) {
    const pool = new pg.Pool({
      connectionString: app.config.postgres.url,
      max: app.config.postgres.poolMax,
      application_name: 'ingest',
      // Fail fast while Postgres is down, so requests get a 503 instead of hanging.
      connectionTimeoutMillis: 3000,
      statement_timeout: 5000,
    });
    // An idle client losing its connection emits here; without a listener the process would crash.
    pool.on('error', (error) => app.log.warn({ err: error }, 'idle Postgres connection failed'));
    app.decorate('pg', pool);
    app.addHook('onClose', () => pool.end());
  },
  { name: 'postgres', dependencies: ['config'] },
);
