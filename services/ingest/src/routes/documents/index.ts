import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import batchRoute from './batch.js';
import getDocumentRoute from './get.js';
import { parseJsonDocuments } from './parsers.js';
import singleRoute from './single.js';

/** An object schema whose properties are all strings: what headers and params already are. */
function onlyStrings(schema: TSchema): boolean {
  const { type, properties } = schema as { type?: unknown; properties?: Record<string, { type?: unknown }> };
  return type === 'object' && properties !== undefined && Object.values(properties).every((p) => p.type === 'string');
}

/**
 * Document bodies are checked by validateInvoice in the handler, not by fastify: it explains every
 * problem as {field, reason}, and refused documents must still reach documents.rejected. The body
 * schemas are there for OpenAPI; headers and params are validated as usual.
 *
 * TypeBoxValidatorCompiler runs Value.Convert over headers and params before checking them, to
 * coerce text into the schema's types: a walk over every header of the request, 4 % of a
 * single-document request's CPU. These routes' header and param schemas hold only strings, which
 * need no coercion, so they are checked as they are (same checks, same errors); a schema with any
 * other type keeps the converting validator. Valid is answered `true`, not `{ value }`: fastify
 * stores a returned value as request.headers' "additional headers", and from then on every read
 * of request.headers copies all of them into a new object.
 */
const bodyCheckedByHandler: FastifySchemaCompiler<TSchema> = (route) => {
  if (route.httpPart === 'body') return () => true;
  if (!onlyStrings(route.schema)) return TypeBoxValidatorCompiler(route);
  const validator = Compile(route.schema);
  return (value: unknown) => (validator.Check(value) ? true : { error: validator.Errors(value) });
};

/** Everything under /v1/documents: bearer auth before the body is even read. */
export default async function documentRoutes(app: FastifyInstance) {
  app.addHook('onRequest', app.authenticate);
  app.setValidatorCompiler(bodyCheckedByHandler);
  app.decorateRequest('bodySha256', '');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJsonDocuments);

  await app.register(singleRoute);
  await app.register(getDocumentRoute);
  await app.register(batchRoute);
}
