import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { replayRejected } from '../../lib/replay.js';
import { errorResponses, TEXT_REFUSED } from '../../schemas/common.js';
import { PipelineParamSchema } from '../../schemas/pipelines.js';
import { ReplayResultSchema, ReplayWindowSchema } from '../../schemas/rejected.js';

const LEAP_SECOND = /^(.*T\d{2}:\d{2}:)60(.*)$/i;

/**
 * A date-time bound as an instant. RFC 3339 allows the leap second 23:59:60, which Date cannot
 * hold: it is the instant just before the next second, so it is read as :59 plus one second.
 */
function instant(text: string): Date {
  const leap = LEAP_SECOND.exec(text);
  return leap ? new Date(new Date(`${leap[1]}59${leap[2]}`).getTime() + 1000) : new Date(text);
}

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
      // No body is no window: every rejection received until now. A JSON null is a body, and not a window.
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
      schema: {
        tags: ['operations'],
        summary: "Replay a pipeline's rejected documents through its current schema",
        description:
          'Admin tokens only. Every rejection of the window that holds a parsed document is validated with the ' +
          "pipeline's current generation: those that pass are produced to its documents topic under an id derived from " +
          'the rejection (with their original owner and receivedAt), so a second replay stores nothing new; those that ' +
          'still fail stay rejected and get their current reasons recorded (recheckedBy, recheckedAt, currentErrors). ' +
          'Lines that were not JSON are not replayed. A window with from after to holds no rejection: nothing is examined. ' +
          'Answers once every replayed document was acknowledged by Kafka.',
        'x-docpipe-optional-body': true,
        security: [{ bearerAuth: [] }],
        params: Type.Object({ pipeline: PipelineParamSchema }),
        body: ReplayWindowSchema,
        response: {
          200: ReplayResultSchema,
          ...errorResponses({
            400: 'A window bound that is not an RFC 3339 date-time, or bytes that are not UTF-8.',
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
      // The earliest instant Date holds: a bound before 1970 is a window too.
      const window = { from: from === undefined ? new Date(-8.64e15) : instant(from), to: to === undefined ? new Date() : instant(to) };
      const counts = window.from > window.to ? { examined: 0, replayed: 0, alreadyStored: 0, stillRejected: 0 } : await replayRejected(request.pipeline, window, app);
      request.log.info({ pipeline: request.pipeline.name, revision: request.pipeline.revision, ...counts }, 'replayed rejected documents');
      return counts;
    },
  );
}
