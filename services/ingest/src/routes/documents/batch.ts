import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../lib/errors.js';
import { documentIds } from '../../lib/ids.js';
import { claimIdempotencyKey } from '../../lib/idempotency.js';
import { ndjsonLines, parseLine, sortDocuments, type Incoming } from '../../lib/intake.js';
import { errorResponses } from '../../schemas/common.js';
import { BatchBodySchema, BatchRefusedSchema, BatchResultSchema, IdempotencyHeadersSchema } from '../../schemas/documents.js';
import { NdjsonBody, parseNdjson } from './parsers.js';

const bodyError = (message: string, reason: string) => new HttpError(400, message, { details: [{ field: '(body)', reason }] });

export default async function batchRoute(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { documents, rejected } = app.kafka.topics;
  const { batchMaxDocuments, batchMaxBytes, documentMaxBytes } = app.config.limits;
  app.addContentTypeParser('application/x-ndjson', { parseAs: 'string' }, parseNdjson);

  const tooMany = (count: number) => {
    if (count > batchMaxDocuments) {
      throw new HttpError(413, `the batch holds ${count} documents, at most ${batchMaxDocuments} are accepted (BATCH_MAX_DOCUMENTS)`);
    }
  };

  /** The batch as a list of documents; a line that is not JSON becomes a rejected item, not a 400. */
  const toItems = (body: unknown): Incoming[] => {
    if (body instanceof NdjsonBody) {
      const lines = ndjsonLines(body.text);
      tooMany(lines.length);
      return lines.map(parseLine);
    }
    if (Array.isArray(body)) {
      tooMany(body.length);
      return body.map((doc: unknown) => ({ doc }));
    }
    if (body === undefined) throw bodyError('a batch body is required', 'is required');
    throw bodyError('an application/json batch must be an array of documents', 'must be an array');
  };

  /**
   * Each document of a batch is held to the single route's limit. Only refused ones are measured:
   * a valid invoice is small by its schema, while a refused one is kept whole on documents.rejected,
   * and a record past Kafka's message.max.bytes would fail every retry with a 503.
   */
  const refuseOversized = (items: readonly Incoming[], outcomes: readonly { index: number }[]) => {
    for (const { index } of outcomes) {
      const item = items[index] as Incoming;
      const size = Buffer.byteLength('raw' in item ? item.raw : (item.text ?? JSON.stringify(item.doc)));
      if (size > documentMaxBytes) {
        throw new HttpError(413, `document ${index} of the batch is ${size} bytes, at most ${documentMaxBytes} are accepted per document (DOCUMENT_MAX_BYTES)`);
      }
    }
  };

  app.post(
    '/v1/documents/batch',
    {
      bodyLimit: batchMaxBytes,
      schema: {
        tags: ['documents'],
        summary: 'Submit many invoice documents (NDJSON or a JSON array)',
        description:
          `Every valid document is accepted even when others fail. At most ${batchMaxDocuments} documents ` +
          `(BATCH_MAX_DOCUMENTS) and ${batchMaxBytes} bytes (BATCH_MAX_BYTES). Answers 202 when at least one document was ` +
          'accepted and 422 when none was, in both cases after Kafka acknowledged the accepted documents and the ' +
          'rejected ones (with their reasons, on documents.rejected). With an Idempotency-Key, document i gets the id ' +
          'UUIDv5(owner:key:i).',
        security: [{ bearerAuth: [] }],
        headers: IdempotencyHeadersSchema,
        body: BatchBodySchema,
        response: {
          202: BatchResultSchema,
          422: BatchRefusedSchema,
          ...errorResponses({
            400: 'No documents, a JSON body that is not an array, or an invalid Idempotency-Key header.',
            401: 'Missing, expired or invalid bearer token.',
            413: 'More than BATCH_MAX_DOCUMENTS documents, more than BATCH_MAX_BYTES bytes, or a document over DOCUMENT_MAX_BYTES.',
            415: 'The body is neither application/json nor application/x-ndjson.',
            503: 'Kafka (or Postgres, for an Idempotency-Key) is unavailable; retry after Retry-After seconds.',
          }),
        },
      },
    },
    async (request, reply) => {
      const items = toItems(request.body);
      if (items.length === 0) throw bodyError('the batch holds no document', 'holds no document');
      const { owner } = request;
      const key = request.headers['idempotency-key'];
      if (key !== undefined) await claimIdempotencyKey(app.pg, owner, key, request.bodySha256);
      const sorted = sortDocuments(items, { owner, receivedAt: new Date().toISOString() }, documentIds(owner, key).at);
      refuseOversized(items, sorted.outcomes.filter((outcome) => 'errors' in outcome));
      // One producer call per topic; the answer waits for both acknowledgements.
      await Promise.all([app.kafka.publish(documents, sorted.accepted), app.kafka.publish(rejected, sorted.rejected)]);

      if (sorted.accepted.length > 0) app.metrics.accepted.inc({ endpoint: 'batch' }, sorted.accepted.length);
      const results = sorted.outcomes.map((outcome) => {
        if ('id' in outcome) return { index: outcome.index, id: outcome.id };
        app.metrics.rejected.inc({ endpoint: 'batch', reason: outcome.reason });
        return { index: outcome.index, errors: outcome.errors };
      });
      const summary = { accepted: sorted.accepted.length, rejected: sorted.rejected.length, results };
      if (summary.accepted > 0) return reply.code(202).send(summary);
      return reply.code(422).send({ error: 'Unprocessable Entity', message: 'no document in the batch is valid', ...summary });
    },
  );
}
