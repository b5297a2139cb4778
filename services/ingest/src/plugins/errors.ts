import type { FieldError } from '@docpipe/pipeline';
import { KafkaUnavailableError, KafkaWriteUnknownError } from '@docpipe/kafka';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { MongoNetworkError, MongoServerSelectionError } from 'mongodb';
import { errorBody, HttpError, serviceUnavailable } from '../lib/errors.js';
import { HashQueueFullError } from '../lib/password-hasher.js';
import { PATTERN_REASONS } from '../schemas/common.js';

interface SchemaIssue {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message?: string | undefined;
}

const names = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);

/** Turns schema validator output into the API's {field, reason} list. */
export function validationDetails(issues: readonly SchemaIssue[], context: string | undefined): FieldError[] {
  const root = context === 'body' || context === undefined ? '(body)' : `(${context})`;
  const at = (path: string, key?: string) => [...path.split('/').slice(1), ...(key === undefined ? [] : [key])].join('.') || root;
  const details: FieldError[] = [];
  for (const issue of issues) {
    switch (issue.keyword) {
      case 'required':
        for (const key of names(issue.params['requiredProperties'] ?? issue.params['missingProperty'])) {
          details.push({ field: at(issue.instancePath, key), reason: 'is required' });
        }
        break;
      case 'additionalProperties':
        for (const key of names(issue.params['additionalProperties'] ?? issue.params['additionalProperty'])) {
          details.push({ field: at(issue.instancePath, key), reason: 'is not a known field' });
        }
        break;
      // TypeBox reports each extra key a second time as the `false` schema it failed.
      case 'boolean':
        break;
      default: {
        const field = at(issue.instancePath);
        const reason = issue.keyword === 'pattern' ? PATTERN_REASONS[field] : undefined;
        details.push({ field, reason: reason ?? issue.message ?? 'is invalid' });
      }
    }
  }
  return details;
}

/** Postgres unreachable, restarting or out of connections: the request may succeed later. */
function isPostgresUnavailable(error: Error & { code?: unknown }): boolean {
  const code = typeof error.code === 'string' ? error.code : '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE'].includes(code) ||
    /^(08|53|57P0)/.test(code) ||
    /timeout exceeded when trying to connect|Connection terminated/.test(error.message)
  );
}

function toHttpError(error: FastifyError): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (Array.isArray(error.validation)) {
    const context = error.validationContext;
    return new HttpError(400, `invalid request ${context ?? 'body'}`, {
      details: validationDetails(error.validation as SchemaIssue[], context),
    });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HttpError(400, 'the body is not valid JSON', { details: [{ field: '(body)', reason: 'is not valid JSON' }] });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError(400, 'the body is empty', { details: [{ field: '(body)', reason: 'is empty' }] });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpError(415, 'unsupported content type: send application/json (or application/x-ndjson to a documents/batch route)');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(413, 'the request body is larger than this endpoint accepts');
  }
  if (error instanceof KafkaUnavailableError) return serviceUnavailable('Kafka is unavailable, nothing was written; retry later');
  // A write of no document's (a replay): whether it happened is unknown, and its ids are its own.
  if (error instanceof KafkaWriteUnknownError) return new HttpError(504, 'Kafka did not confirm the write in time; it may or may not have happened. Retry: it is idempotent');
  if (error instanceof HashQueueFullError) return serviceUnavailable('too many password operations in progress, retry later');
  if (error instanceof MongoServerSelectionError || error instanceof MongoNetworkError) {
    return serviceUnavailable('MongoDB is unavailable, retry later');
  }
  if (isPostgresUnavailable(error)) return serviceUnavailable('Postgres is unavailable, retry later');
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) return new HttpError(status, error.message);
  return undefined;
}

/** `/v1/pipelines/:pipeline/documents` as a pattern that matches the paths the route serves. */
function pathPattern(url: string): RegExp {
  const parts = url.split('/').map((part) => {
    if (part.startsWith(':')) return '[^/]+';
    return part.split('*').map((text) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  });
  return new RegExp(`^${parts.join('/')}$`);
}

/**
 * The methods each route path serves, gathered as routes are added, so that a path served for
 * other methods is answered 405 with Allow (RFC 9110 §15.5.6) rather than 404.
 */
function routeMethods(app: FastifyInstance): (path: string) => string[] {
  const routes = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  app.addHook('onRoute', ({ url, method }) => {
    let route = routes.get(url);
    if (!route) routes.set(url, (route = { pattern: pathPattern(url), methods: new Set() }));
    for (const one of Array.isArray(method) ? method : [method]) route.methods.add(one);
  });
  return (path) => {
    const methods = new Set<string>();
    for (const { pattern, methods: served } of routes.values()) if (pattern.test(path)) for (const method of served) methods.add(method);
    return [...methods].sort();
  };
}

/**
 * Every error leaves as {error, message?, details?}. Unknown errors become a bare 500: their
 * message and stack go to the log, never to the client.
 */
export default fp(
  async function errors(app: FastifyInstance) {
    const methodsOf = routeMethods(app);
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const known = toHttpError(error);
      if (!known) {
        request.log.error({ err: error }, 'request failed');
        return reply.code(500).send({ error: 'Internal Server Error' });
      }
      // Debug, not warn: while a dependency is down every request lands here; metrics count them.
      if (known.statusCode >= 500) request.log.debug({ err: error }, known.message);
      return reply.code(known.statusCode).headers(known.headers).send(known.body);
    });

    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] as string;
      const allowed = methodsOf(path);
      if (allowed.length === 0) return reply.code(404).send(errorBody(404, `no route for ${request.method} ${path}`));
      return reply
        .code(405)
        .header('allow', allowed.join(', '))
        .send(errorBody(405, `${request.method} is not served on ${path}; it takes ${allowed.join(', ')}`));
    });
  },
  { name: 'errors' },
);
