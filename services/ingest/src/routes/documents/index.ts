import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import batchRoute from './batch.js';
import getDocumentRoute from './get.js';
import { parseJsonDocuments } from './parsers.js';
import singleRoute from './single.js';

/**
 * Document bodies are checked by validateInvoice in the handler, not by fastify: it explains every
 * problem as {field, reason}, and refused documents must still reach documents.rejected. The body
 * schemas are there for OpenAPI; headers and params are validated as usual.
 */
const bodyCheckedByHandler: FastifySchemaCompiler<TSchema> = (route) =>
  route.httpPart === 'body' ? () => true : TypeBoxValidatorCompiler(route);

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
