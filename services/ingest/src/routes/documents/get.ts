import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { HttpError } from '../../lib/errors.js';
import { withIsoDates } from '../../lib/iso-dates.js';
import { errorResponses } from '../../schemas/common.js';
import { DocumentIdSchema, StoredDocumentSchema } from '../../schemas/documents.js';
import type { PipelineScope } from './scope.js';

export default async function getDocumentRoute(fastify: FastifyInstance, { scope }: { scope: PipelineScope }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const notStored = 'Not stored (yet), or owned by another user.';

  app.get(
    '/documents/:id',
    {
      // …/documents/batch is the batch route's path, which takes POST alone: its GET is the 405 of
      // any method a path does not take, not an id that is not a UUID.
      preValidation: async (request) => {
        if ((request.params as { id: string }).id === 'batch') {
          throw new HttpError(405, `GET is not served on ${request.url.split('?')[0]}; it takes POST`, { headers: { allow: 'POST' } });
        }
      },
      schema: {
        tags: ['documents'],
        summary: `Read a stored document of ${scope.which}`,
        description: "The document as MongoDB stores it, from the pipeline's collection. 404 until the consumer stored it, and for documents of other users.",
        security: [{ bearerAuth: [] }],
        params: Type.Object({ ...scope.params, id: DocumentIdSchema }),
        response: {
          200: StoredDocumentSchema,
          ...errorResponses({
            400: 'The id is not a UUID.',
            401: 'Missing, expired or invalid bearer token.',
            404: [notStored, scope.errors[404]].filter((text) => text !== undefined).join(' Or: '),
            503: "MongoDB is unavailable, or the pipeline's topics are being created.",
          }),
        },
      },
    },
    async (request) => {
      // The owner is compared here, and another user's document gets the very same 404 as a
      // missing one: the answer does not tell whether the id exists.
      const stored = await app.mongo.findDocument(request.pipeline, request.params.id.toLowerCase());
      if (!stored || stored.owner !== request.owner) {
        throw new HttpError(404, 'no stored document with this id; a document just accepted may not be stored yet');
      }
      const { _id, ...fields } = stored;
      return { id: _id, ...(withIsoDates(fields) as Omit<Static<typeof StoredDocumentSchema>, 'id'>) };
    },
  );
}
