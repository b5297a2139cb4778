import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { CompiledPipeline } from '@docpipe/pipeline';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { pipelineLimits, type DocumentLimits } from '../../lib/limits.js';
import batchRoute from './batch.js';
import getDocumentRoute from './get.js';
import { DEFAULT_SCOPE, NAMED_SCOPE, type PipelineScope } from './scope.js';
import singleRoute from './single.js';

/** An object schema whose properties are all strings: what headers and params already are. */
function onlyStrings(schema: TSchema): boolean {
  const { type, properties } = schema as { type?: unknown; properties?: Record<string, { type?: unknown }> };
  return type === 'object' && properties !== undefined && Object.values(properties).every((p) => p.type === 'string');
}

/**
 * Document bodies have no fastify schema: their pipeline's validator checks them in the handler,
 * explains every problem as {field, reason}, and refused documents must still reach the rejected
 * topic. Headers and params are validated as usual.
 *
 * TypeBoxValidatorCompiler runs Value.Convert over headers and params before checking them, to
 * coerce text into the schema's types: a walk over every header of the request, 4 % of a
 * single-document request's CPU. These routes' header and param schemas hold only strings, which
 * need no coercion, so they are checked as they are (same checks, same errors); a schema with any
 * other type keeps the converting validator. Valid is answered `true`, not `{ value }`: fastify
 * stores a returned value as request.headers' "additional headers", and from then on every read
 * of request.headers copies all of them into a new object.
 */
const stringsCheckedAsTheyAre: FastifySchemaCompiler<TSchema> = (route) => {
  if (!onlyStrings(route.schema)) return TypeBoxValidatorCompiler(route);
  const validator = Compile(route.schema);
  return (value: unknown) => (validator.Check(value) ? true : { error: validator.Errors(value) });
};

/**
 * One pipeline's document routes under `scope.prefix`. The pipeline is looked up once, when the
 * request starts (before its body is read, which its limits apply to), and that generation serves
 * the request to its end, whatever switches meanwhile.
 */
async function scopedDocumentRoutes(app: FastifyInstance, options: { scope: PipelineScope; limitsOf(pipeline: CompiledPipeline): DocumentLimits }) {
  const { scope, limitsOf } = options;
  app.addHook('onRequest', async (request) => {
    request.pipeline = app.servedPipeline(scope.pipelineName(request), scope.missing);
    request.limits = limitsOf(request.pipeline);
  });
  await app.register(singleRoute, { scope });
  await app.register(getDocumentRoute, { scope });
  await app.register(batchRoute, { scope });
}

/** Everything under /v1/documents and /v1/pipelines/:pipeline/documents: bearer auth before the body is even read. */
export default async function documentRoutes(app: FastifyInstance) {
  app.addHook('onRequest', app.authenticate);
  app.setValidatorCompiler(stringsCheckedAsTheyAre);
  app.decorateRequest('bodySha256', '');
  app.decorateRequest('limits', null as unknown as DocumentLimits);
  // Each route adds the JSON parser that holds the body to its own limit.
  app.removeContentTypeParser('application/json');

  // A generation never changes, and neither do the ceilings: its limits are worked out once.
  const limits = new WeakMap<CompiledPipeline, DocumentLimits>();
  const limitsOf = (pipeline: CompiledPipeline) => {
    let known = limits.get(pipeline);
    if (!known) limits.set(pipeline, (known = pipelineLimits(pipeline, app.config.limits)));
    return known;
  };
  for (const scope of [DEFAULT_SCOPE, NAMED_SCOPE]) await app.register(scopedDocumentRoutes, { prefix: scope.prefix, scope, limitsOf });
}
