import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { HttpError } from '../../lib/errors.js';
import { replayRejected } from '../../lib/replay.js';
import { errorResponses, TEXT_REFUSED } from '../../schemas/common.js';
import { PipelineParamSchema } from '../../schemas/pipelines.js';
import { ReplayResultSchema, ReplayWindowSchema } from '../../schemas/rejected.js';

export default async function replayRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/v1/pipelines/:pipeline/rejected/replay',
    {
      // Who may replay is settled before anything about the pipeline is told.
      onRequest: [
        app.authenticate,
        app.requireAdmin,
        async (request) => {
          request.pipeline = app.servedPipeline((request.params as { pipeline: string }).pipeline);
        },
      ],
      // No body is no window: every rejection received until now.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags: ['operations'],
        summary: "Replay a pipeline's rejected documents through its current schema",
        description:
          'Admin tokens only. Every rejection of the window that holds a parsed document is validated with the ' +
          "pipeline's current generation: those that pass are produced to its documents topic under an id derived from " +
          'the rejection (with their original owner and receivedAt), so a second replay stores nothing new; those that ' +
          'still fail stay rejected and get their current reasons recorded (recheckedBy, recheckedAt, currentErrors). ' +
          'Lines that were not JSON are not replayed. Answers once every replayed document was acknowledged by Kafka.',
        security: [{ bearerAuth: [] }],
        params: Type.Object({ pipeline: PipelineParamSchema }),
        body: ReplayWindowSchema,
        response: {
          200: ReplayResultSchema,
          ...errorResponses({
            400: 'A window bound that is not an ISO-8601 date-time, from after to, or bytes that are not UTF-8.',
            401: 'Missing, expired or invalid bearer token.',
            403: 'The token does not carry the admin role.',
            404: 'No pipeline of this name is served; the body names it and lists the served ones.',
            415: 'The body is not application/json.',
            422: TEXT_REFUSED,
            503: "Kafka or MongoDB is unavailable, or the pipeline's topics are being created; what was replayed stays, run it again.",
          }),
        },
      },
    },
    async (request) => {
      const { from, to } = request.body;
      const window = { from: from === undefined ? new Date(0) : new Date(from), to: to === undefined ? new Date() : new Date(to) };
      if (window.from > window.to) {
        throw new HttpError(400, 'the window is empty', { details: [{ field: 'from', reason: 'must not be after to' }] });
      }
      const counts = await replayRejected(request.pipeline, window, app);
      request.log.info({ pipeline: request.pipeline.name, revision: request.pipeline.revision, ...counts }, 'replayed rejected documents');
      return counts;
    },
  );
}
