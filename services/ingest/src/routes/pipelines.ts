import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../schemas/common.js';
import { ServedPipelinesSchema } from '../schemas/pipelines.js';

export default async function pipelineRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/v1/pipelines',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['documents'],
        summary: 'The pipelines served now, with the revision of each',
        description: 'Follows PIPELINES_DIR as it changes: a pipeline is listed once its spec compiled and its examples behaved.',
        security: [{ bearerAuth: [] }],
        response: { 200: ServedPipelinesSchema, ...errorResponses({ 401: 'Missing, expired or invalid bearer token.' }) },
      },
    },
    async () => ({
      pipelines: app.pipelines
        .list()
        .map(({ name, revision, spec }) => ({ name, revision, ...(spec.description === undefined ? {} : { description: spec.description }) }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    }),
  );
}
