import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../lib/errors.js';
import { errorResponses } from '../../schemas/common.js';
import { DocumentParamsSchema, StoredDocumentSchema } from '../../schemas/documents.js';

export default async function getDocumentRoute(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/v1/documents/:id',
    {
      schema: {
        tags: ['documents'],
        summary: 'Read a stored document',
        description: 'The document as MongoDB stores it. 404 until the consumer stored it, and for documents of other users.',
        security: [{ bearerAuth: [] }],
        params: DocumentParamsSchema,
        response: {
          200: StoredDocumentSchema,
          ...errorResponses({
            400: 'The id is not a UUID.',
            401: 'Missing, expired or invalid bearer token.',
            404: 'Not stored (yet), or owned by another user.',
            503: 'MongoDB is unavailable.',
          }),
        },
      },
    },
    async (request) => {
      // By _id alone: FerretDB answers {_id, owner} with a full collection scan, {_id} from the
      // index. The owner is compared here instead, and another user's document gets the very same
      // 404 as a missing one: the answer does not tell whether the id exists.
      const stored = await app.mongo.documents.findOne({ _id: request.params.id.toLowerCase() });
      if (!stored || stored.owner !== request.owner) {
        throw new HttpError(404, 'no stored document with this id; a document just accepted may not be stored yet');
      }
      const { _id, InvoiceDate, ingestedAt, storedAt, ...fields } = stored;
      return {
        id: _id,
        ...fields,
        InvoiceDate: InvoiceDate.toISOString(),
        ingestedAt: ingestedAt.toISOString(),
        storedAt: storedAt.toISOString(),
      };
    },
  );
}
