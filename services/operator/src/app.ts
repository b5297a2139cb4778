import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface ProbeOptions {
  readonly log: Logger;
  readonly registry: Registry;
  /** Why this replica cannot do its part now, or undefined when it can. */
  readonly notReady: () => string | undefined;
}

/** `/metrics` for Prometheus, `/healthz` (the process answers) and `/readyz` for the kubelet. */
export function buildApp(options: ProbeOptions): FastifyInstance {
  // Probes and scrapes come every few seconds: a log line each would bury the reconciles.
  const app = Fastify({ loggerInstance: options.log as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }) });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const reason = options.notReady();
    return reason ? reply.code(503).send({ status: 'not ready', reason }) : { status: 'ready' };
  });
  app.get('/metrics', async (_request, reply) => reply.type(options.registry.contentType).send(await options.registry.metrics()));
  return app;
}
