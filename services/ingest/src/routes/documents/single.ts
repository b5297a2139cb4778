import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { HttpError } from '../../lib/errors.js';
import { documentIds } from '../../lib/ids.js';
import { claimIdempotencyKey } from '../../lib/idempotency.js';
import { sortDocuments } from '../../lib/intake.js';
import { errorResponses } from '../../schemas/common.js';
import { AcceptedSchema, IdempotencyHeadersSchema } from '../../schemas/documents.js';

export default async function singleRoute(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { documents, rejected } = app.kafka.topics;

  app.post(
    '/v1/documents',
    {
      bodyLimit: app.config.limits.documentMaxBytes,
      schema: {
        tags: ['documents'],
        summary: 'Submit one invoice document',
        description:
          'Answers 202 once Kafka acknowledged the document (acks=all). An invalid document is answered 422 and kept, ' +
          'with its reasons, on the documents.rejected topic.',
        security: [{ bearerAuth: [] }],
        headers: IdempotencyHeadersSchema,
        body: Type.Ref('Invoice'),
        response: {
          202: AcceptedSchema,
          ...errorResponses({
            400: 'Malformed JSON, no body, or an invalid Idempotency-Key header.',
            401: 'Missing, expired or invalid bearer token.',
            413: `The body exceeds DOCUMENT_MAX_BYTES (${app.config.limits.documentMaxBytes} bytes).`,
            415: 'The body is not application/json.',
            422: 'The document is invalid (details list every problem), or the Idempotency-Key was used with another body.',
            503: 'Kafka (or Postgres, for an Idempotency-Key) is unavailable; retry after Retry-After seconds.',
          }),
        },
      },
    },
    async (request, reply) => {
      const body: unknown = request.body;
      if (body === undefined) throw new HttpError(400, 'a JSON body is required', { details: [{ field: '(body)', reason: 'is required' }] });
      const { owner } = request;
      const key = request.headers['idempotency-key'];
      if (key !== undefined) await claimIdempotencyKey(app.pg, owner, key, request.bodySha256);
      const ids = documentIds(owner, key);
      const sorted = sortDocuments([{ doc: body }], { owner, receivedAt: new Date().toISOString() }, ids.single);
      await Promise.all([app.kafka.publish(documents, sorted.accepted), app.kafka.publish(rejected, sorted.rejected)]);

      const outcome = sorted.outcomes[0] as (typeof sorted.outcomes)[number];
      if ('id' in outcome) {
        app.metrics.accepted.inc({ endpoint: 'single' });
        return reply.code(202).send({ id: outcome.id });
      }
      app.metrics.rejected.inc({ endpoint: 'single', reason: outcome.reason });
      throw new HttpError(422, 'the document is invalid', { details: outcome.errors });
    },
  );
}
