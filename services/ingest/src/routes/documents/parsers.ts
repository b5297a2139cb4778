import type { FastifyRequest } from 'fastify';
import { HttpError } from '../../lib/errors.js';
import { sha256Hex } from '../../lib/ids.js';
import type { DocumentLimits } from '../../lib/limits.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** sha256 of the raw body, computed only when an Idempotency-Key asks for it. */
    bodySha256: string;
    /** The limits of request.pipeline within the service's ceilings. */
    limits: DocumentLimits;
  }
}

type BodyLimit = 'documentBytes' | 'batchBytes';

/**
 * fastify has held the body to the route's bodyLimit, the service ceiling; a pipeline's tighter
 * limit is checked here, before the body is parsed.
 */
function holdToPipelineLimit(request: FastifyRequest, body: string, which: BodyLimit): void {
  const limit = request.limits[which];
  if (limit.value >= (request.routeOptions.bodyLimit ?? Number.POSITIVE_INFINITY)) return;
  const bytes = Buffer.byteLength(body);
  if (bytes > limit.value) throw new HttpError(413, `the request body is ${bytes} bytes, at most ${limit.value} are accepted (${limit.setBy})`);
}

function hashForIdempotency(request: FastifyRequest, body: string): void {
  if (request.headers['idempotency-key'] !== undefined) request.bodySha256 = sha256Hex(body);
}

/**
 * JSON for the document routes. Plain JSON.parse is fastify's parser with onProtoPoisoning and
 * onConstructorPoisoning set to 'ignore': "__proto__" and "constructor" stay ordinary own keys.
 * That is safe here ONLY because every parsed document goes straight to its pipeline's validator,
 * which refuses those keys (reason forbidden_key) before anything else reads the object; the
 * client gets a 422 that names the key instead of a generic 400. No other route uses this parser.
 */
export function jsonDocuments(which: BodyLimit) {
  return async function parseJsonDocuments(request: FastifyRequest, body: string): Promise<unknown> {
    holdToPipelineLimit(request, body, which);
    hashForIdempotency(request, body);
    if (body.length === 0) throw new HttpError(400, 'the body is empty', { details: [{ field: '(body)', reason: 'is empty' }] });
    try {
      return JSON.parse(body) as unknown;
    } catch (error) {
      throw new HttpError(400, 'the body is not valid JSON', {
        details: [{ field: '(body)', reason: `is not valid JSON: ${(error as Error).message}` }],
      });
    }
  };
}

/** An NDJSON body, kept as text: its lines are parsed one by one, so one bad line does not fail the batch. */
export class NdjsonBody {
  constructor(readonly text: string) {}
}

export async function parseNdjson(request: FastifyRequest, body: string): Promise<NdjsonBody> {
  holdToPipelineLimit(request, body, 'batchBytes');
  hashForIdempotency(request, body);
  return new NdjsonBody(body);
}
