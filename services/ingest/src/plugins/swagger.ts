import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { withPipelines } from '../lib/openapi.js';
import { JSON_TEXT_RULE } from '../schemas/common.js';

/**
 * OpenAPI 3.1 built from the route schemas (the same TypeBox schemas that validate), served as
 * JSON at /docs/json and browsable at /docs. Registered before the routes so it sees them all.
 * @fastify/swagger builds the document once and caches it; the pipelines' parts (their schemas
 * and names) are added to a copy of it on every answer, so a live switch shows up at once.
 */
export default fp(
  async function openapi(app: FastifyInstance) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Docpipe ingest',
          description:
            'Users, access tokens, and the documents of every served pipeline into Kafka. A 202 means Kafka acknowledged ' +
            'the document (acks=all); MongoDB stores it shortly after. Every error body is {error, message?, details?}. ' +
            JSON_TEXT_RULE,
          version: '1.0.0',
        },
        components: {
          securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
        tags: [
          { name: 'users', description: 'Registration and access tokens' },
          { name: 'documents', description: 'Documents of the served pipelines (/v1/documents: the invoices pipeline)' },
          { name: 'operations', description: 'Health, readiness, metrics and replays' },
        ],
      },
      // Shared schemas appear in components/schemas under their $id (FieldError, Error).
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      // The UI plugin hands each answer a copy of the cached document (transformSpecificationClone).
      transformSpecification: (spec) => withPipelines(spec as Record<string, unknown>, app.pipelines.list(), app.config.limits),
    });
  },
  { name: 'swagger', dependencies: ['pipelines'] },
);
