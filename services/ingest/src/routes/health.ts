import type { FieldError } from '@docpipe/pipeline';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorBody, RETRY_AFTER_SECONDS } from '../lib/errors.js';
import { withTimeout } from '../lib/timeout.js';
import { errorResponses } from '../schemas/common.js';

/** A probe must answer within the kubelet's timeout (1 s by default), however slow a dependency is. */
const CHECK_TIMEOUT_MS = 800;

export default async function healthRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process serves HTTP',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  const checks: Record<string, () => Promise<unknown>> = {
    postgres: () => app.pg.query('SELECT 1'),
    kafka: () => app.kafka.ping(),
    mongo: () => app.mongo.db.command({ ping: 1 }),
  };

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: Postgres, the Kafka producer and MongoDB are reachable',
        response: {
          200: Type.Object({ status: Type.Literal('ready') }),
          ...errorResponses({ 503: 'Not ready; details name each dependency that is down.' }),
        },
      },
    },
    async (request, reply) => {
      const results = await Promise.all(
        Object.entries(checks).map(async ([name, check]): Promise<FieldError | undefined> => {
          try {
            await withTimeout(check(), CHECK_TIMEOUT_MS);
            return undefined;
          } catch (error) {
            // The cause stays in the log: connection strings and addresses are not for the public port.
            request.log.warn({ err: error, dependency: name }, 'readiness check failed');
            return { field: name, reason: 'is not reachable' };
          }
        }),
      );
      const down = results.filter((r): r is FieldError => r !== undefined);
      if (down.length === 0) return { status: 'ready' as const };
      return reply
        .code(503)
        .header('retry-after', String(RETRY_AFTER_SECONDS))
        .send(errorBody(503, `not ready: ${down.map((d) => d.field).join(', ')} down`, down));
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics (text exposition format)',
        // Documented as what the registry answers with: Prometheus text, not JSON.
        produces: [app.metrics.registry.contentType],
        response: { 200: Type.String({ description: 'Prometheus text exposition format 0.0.4' }) },
      },
    },
    async (_request, reply) => reply.type(app.metrics.registry.contentType).send(await app.metrics.registry.metrics()),
  );
}
