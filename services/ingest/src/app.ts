import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import { textProblem, withoutKind } from '@docpipe/pipeline';
import { loggerOptions } from '@docpipe/runtime';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';
import { clientErrorHandler, frameworkErrors } from './lib/framework-errors.js';
import { HttpError } from './lib/errors.js';
import { utf8Body } from './lib/json-text.js';
import authPlugin from './plugins/auth.js';
import configPlugin from './plugins/config.js';
import errorsPlugin from './plugins/errors.js';
import kafkaPlugin from './plugins/kafka.js';
import metricsPlugin from './plugins/metrics.js';
import mongoPlugin from './plugins/mongo.js';
import passwordsPlugin from './plugins/passwords.js';
import pipelinesPlugin from './plugins/pipelines.js';
import postgresPlugin from './plugins/postgres.js';
import rateLimitPlugin from './plugins/rate-limit.js';
import swaggerPlugin from './plugins/swagger.js';
import documentRoutes from './routes/documents/index.js';
import healthRoutes from './routes/health.js';
import pipelineRoutes from './routes/pipelines.js';
import replayRoutes from './routes/rejected/replay.js';
import tokenRoutes from './routes/token.js';
import userRoutes from './routes/users.js';
import { SHARED_SCHEMAS } from './schemas/common.js';

/**
 * JSON for the routes that do not take documents (users, token, replay): fastify's own parser,
 * after the body's bytes are checked to be UTF-8 and its text to keep the rules every JSON body is
 * held to (json-text.ts in packages/pipeline), so nothing recursive runs on a text that breaks them.
 */
function holdJsonToTextRules(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8Body(body as Buffer);
      const problem = textProblem(text);
      if (problem) throw new HttpError(422, 'the JSON text is refused before it is parsed', { details: withoutKind([problem]) });
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    parseJson(request, text, done);
  });
}

/**
 * fastify answers requests that arrive while it closes with Connection: close, but not those
 * already in flight: their keep-alive sockets would then hold close() open until they time out.
 */
function closeConnectionsWhenDone(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}

export interface BuildOptions {
  /** The process's logger (server.ts); without it, one of ingest's own. */
  readonly log?: Logger;
  /** Where logs go (tests capture them); stdout by default. */
  readonly logStream?: DestinationStream;
}

/** Builds the ingest app: plugins first (decorators), then routes. Listening is server.ts's job. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const log: FastifyBaseLogger = options.log ?? pino(loggerOptions('ingest', config.logLevel), options.logStream);
  const app = Fastify({
    loggerInstance: log,
    // Per-request log lines cost throughput on the hot path; they are on only at debug and trace.
    logController: new LogController({ disableRequestLogging: !['debug', 'trace'].includes(config.logLevel) }),
    bodyLimit: config.limits.documentMaxBytes,
    trustProxy: config.trustProxy,
    clientErrorHandler,
    frameworkErrors,
  });
  // TypeBox validates without coercing or stripping: a body either matches its schema or gets a 400.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  // Only JSON (and NDJSON on the batch routes) is taken; anything else is a 415.
  app.removeContentTypeParser('text/plain');
  holdJsonToTextRules(app);
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  closeConnectionsWhenDone(app);

  await app.register(configPlugin, { config });
  await app.register(errorsPlugin);
  await app.register(postgresPlugin);
  await app.register(metricsPlugin);
  await app.register(kafkaPlugin);
  await app.register(mongoPlugin);
  await app.register(pipelinesPlugin);
  await app.register(passwordsPlugin);
  await app.register(authPlugin);
  await app.register(rateLimitPlugin);
  await app.register(swaggerPlugin);

  await app.register(healthRoutes);
  await app.register(userRoutes);
  await app.register(tokenRoutes);
  await app.register(pipelineRoutes);
  await app.register(documentRoutes);
  await app.register(replayRoutes);
  return app;
}
