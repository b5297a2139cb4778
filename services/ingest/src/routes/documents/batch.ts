import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { HttpError } from '../../lib/errors.js';
import { documentIds, pipelineNamespace } from '../../lib/ids.js';
import { claimIdempotencyKey } from '../../lib/idempotency.js';
import { ndjsonLines, parseLine, publishSorted, sortDocuments, type Incoming } from '../../lib/intake.js';
import type { DocumentLimits } from '../../lib/limits.js';
import { errorResponses } from '../../schemas/common.js';
import { BatchRefusedSchema, BatchResultSchema, IdempotencyHeadersSchema } from '../../schemas/documents.js';
import { NdjsonBody, parseJsonBatch, parseNdjson, SortedBody } from './parsers.js';
import type { PipelineScope } from './scope.js';

const bodyError = (message: string, reason: string) => new HttpError(400, message, { details: [{ field: '(body)', reason }] });

function refuseTooMany(count: number, { batchDocuments: limit }: DocumentLimits): void {
  if (count > limit.value) {
    throw new HttpError(413, `the batch holds ${count} documents, at most ${limit.value} are accepted (${limit.setBy})`);
  }
}

/** The batch as a list of documents; a line that is not JSON becomes a rejected item, not a 400. */
function toItems(body: unknown, limits: DocumentLimits): Incoming[] {
  if (body instanceof NdjsonBody) {
    const lines = ndjsonLines(body.text);
    refuseTooMany(lines.length, limits);
    return lines.map(parseLine);
  }
  if (body instanceof SortedBody) {
    refuseTooMany(body.items.length, limits);
    return body.items;
  }
  if (Array.isArray(body)) {
    refuseTooMany(body.length, limits);
    return body.map((doc: unknown) => ({ doc }));
  }
  if (body === undefined) throw bodyError('a batch body is required', 'is required');
  throw bodyError('an application/json batch must be an array of documents', 'must be an array');
}

/**
 * Each document of a batch is held to the single route's limit. Only refused ones are measured:
 * a valid document is as small as its schema allows (the specs bound their strings and arrays),
 * while a refused one is kept whole on the rejected
 * topic, and a record past Kafka's message.max.bytes would fail every retry with a 503.
 */
function refuseOversized(items: readonly Incoming[], outcomes: readonly { index: number }[], { documentBytes: limit }: DocumentLimits): void {
  for (const { index } of outcomes) {
    const item = items[index] as Incoming;
    const size = Buffer.byteLength('raw' in item ? item.raw : (item.text ?? JSON.stringify(item.doc)));
    if (size > limit.value) {
      throw new HttpError(413, `document ${index} of the batch is ${size} bytes, at most ${limit.value} are accepted per document (${limit.setBy})`);
    }
  }
}

export default async function batchRoute(fastify: FastifyInstance, { scope }: { scope: PipelineScope }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { batchMaxDocuments, batchMaxBytes } = app.config.limits;
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parseJsonBatch);
  app.addContentTypeParser('application/x-ndjson', { parseAs: 'buffer' }, parseNdjson);

  app.post(
    '/documents/batch',
    {
      bodyLimit: batchMaxBytes,
      schema: {
        tags: ['documents'],
        summary: `Submit many documents to ${scope.which} (NDJSON or a JSON array)`,
        description:
          `Every valid document is accepted even when others fail. At most ${batchMaxDocuments} documents ` +
          `(BATCH_MAX_DOCUMENTS) and ${batchMaxBytes} bytes (BATCH_MAX_BYTES), or the pipeline's lower spec.ingest limits. ` +
          'Answers 202 when at least one document was accepted and 422 when none was, in both cases after Kafka ' +
          "acknowledged the accepted documents and the rejected ones (with their reasons, on the pipeline's rejected topic). " +
          'With an Idempotency-Key, document i gets the id UUIDv5(owner:key:i).',
        security: [{ bearerAuth: [] }],
        'x-docpipe-body': 'batch',
        ...(Object.keys(scope.params).length > 0 ? { params: Type.Object(scope.params) } : {}),
        headers: IdempotencyHeadersSchema,
        response: {
          202: BatchResultSchema,
          422: BatchRefusedSchema,
          ...errorResponses({
            400: 'No documents, a JSON body that is not an array or not JSON, bytes that are not UTF-8, or an invalid Idempotency-Key header.',
            401: 'Missing, expired or invalid bearer token.',
            ...scope.errors,
            413: 'More documents or bytes than the batch limits, or a refused document over the single-document limit.',
            415: 'The body is neither application/json nor application/x-ndjson.',
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
      const { owner, pipeline, limits } = request;
      const items = toItems(request.body, limits);
      if (items.length === 0) throw bodyError('the batch holds no document', 'holds no document');
      const key = request.headers['idempotency-key'];
      if (key !== undefined) await claimIdempotencyKey(app.pg, owner, pipeline.name, key, request.bodySha256);
      const ids = documentIds(owner, key, pipelineNamespace(pipeline.name));
      const sorted = sortDocuments(pipeline, items, { owner, receivedAt: new Date().toISOString() }, ids.at);
      refuseOversized(items, sorted.outcomes.filter((outcome) => 'errors' in outcome), limits);
      // One producer call per topic; the answer waits for both acknowledgements.
      await publishSorted(app.kafka, pipeline.resources.topics, sorted, key !== undefined);

      if (sorted.accepted.length > 0) app.metrics.accepted.inc({ endpoint: 'batch', pipeline: pipeline.name }, sorted.accepted.length);
      const results = sorted.outcomes.map((outcome) => {
        if ('id' in outcome) return { index: outcome.index, id: outcome.id };
        app.metrics.rejected.inc({ endpoint: 'batch', reason: outcome.reason, pipeline: pipeline.name });
        return { index: outcome.index, errors: outcome.errors };
      });
      const summary = { accepted: sorted.accepted.length, rejected: sorted.rejected.length, results };
      if (summary.accepted > 0) return reply.code(202).send(summary);
      return reply.code(422).send({ error: 'Unprocessable Entity', message: 'no document in the batch is valid', ...summary });
    },
  );
}
