import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { HttpError } from '../../lib/errors.js';
import { documentIds, pipelineNamespace } from '../../lib/ids.js';
import { claimIdempotencyKey } from '../../lib/idempotency.js';
import { publishSorted, sortDocuments } from '../../lib/intake.js';
import { errorResponses } from '../../schemas/common.js';
import { AcceptedSchema, IdempotencyHeadersSchema } from '../../schemas/documents.js';
import { parseJsonDocument, SortedBody } from './parsers.js';
import type { PipelineScope } from './scope.js';

export default async function singleRoute(fastify: FastifyInstance, { scope }: { scope: PipelineScope }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { documentMaxBytes } = app.config.limits;
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parseJsonDocument);

  app.post(
    '/documents',
    {
      bodyLimit: documentMaxBytes,
      schema: {
        tags: ['documents'],
        summary: `Submit one document to ${scope.which}`,
        description:
          'Answers 202 once Kafka acknowledged the document (acks=all). An invalid document is answered 422 and kept, ' +
          "with its reasons, on the pipeline's rejected topic.",
        security: [{ bearerAuth: [] }],
        'x-docpipe-body': 'document',
        ...(Object.keys(scope.params).length > 0 ? { params: Type.Object(scope.params) } : {}),
        headers: IdempotencyHeadersSchema,
        response: {
          202: AcceptedSchema,
          ...errorResponses({
            400: 'Malformed JSON, bytes that are not UTF-8, no body, or an invalid Idempotency-Key header.',
            401: 'Missing, expired or invalid bearer token.',
            ...scope.errors,
            413: `The body exceeds DOCUMENT_MAX_BYTES (${documentMaxBytes} bytes), or the pipeline's lower spec.ingest.maxDocumentBytes.`,
            415: 'The body is not application/json.',
            422:
              'The document is invalid (details list its problems; a long list ends with one entry counting the rest), breaks a rule of its text ' +
              '(nesting, key count, a lone surrogate escape), or the Idempotency-Key was used with another body.',
            503:
              "Not written: Kafka (or Postgres, for an Idempotency-Key) is unavailable, or the pipeline's topics are being created; " +
              'retry after Retry-After seconds.',
            504:
              'Kafka did not confirm the write in time: the documents may or may not be stored, under the ids the body lists. ' +
              'Retry with the same Idempotency-Key to store each once; without a key, look the ids up before retrying.',
          }),
        },
      },
    },
    async (request, reply) => {
      const body: unknown = request.body;
      if (body === undefined) throw new HttpError(400, 'a JSON body is required', { details: [{ field: '(body)', reason: 'is required' }] });
      const { owner, pipeline } = request;
      const key = request.headers['idempotency-key'];
      if (key !== undefined) await claimIdempotencyKey(app.pg, owner, pipeline.name, key, request.bodySha256);
      const ids = documentIds(owner, key, pipelineNamespace(pipeline.name));
      const items = body instanceof SortedBody ? body.items : [{ doc: body }];
      const sorted = sortDocuments(pipeline, items, { owner, receivedAt: new Date().toISOString() }, ids.single);
      // One producer call per topic; the answer waits for both acknowledgements.
      await publishSorted(app.kafka, pipeline.resources.topics, sorted, key !== undefined);

      const outcome = sorted.outcomes[0] as (typeof sorted.outcomes)[number];
      if ('id' in outcome) {
        app.metrics.accepted.inc({ endpoint: 'single', pipeline: pipeline.name });
        return reply.code(202).send({ id: outcome.id });
      }
      app.metrics.rejected.inc({ endpoint: 'single', reason: outcome.reason, pipeline: pipeline.name });
      throw new HttpError(422, 'the document is invalid', { details: outcome.errors });
    },
  );
}
