import { arrayElements, textProblem, textProblems } from '@docpipe/pipeline';
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../../lib/errors.js';
import { sha256Hex } from '../../lib/ids.js';
import type { Incoming } from '../../lib/intake.js';
import { utf8Body } from '../../lib/json-text.js';
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
function holdToPipelineLimit(request: FastifyRequest, body: Buffer, which: BodyLimit): void {
  const limit = request.limits[which];
  if (limit.value >= (request.routeOptions.bodyLimit ?? Number.POSITIVE_INFINITY)) return;
  if (body.length > limit.value) throw new HttpError(413, `the request body is ${body.length} bytes, at most ${limit.value} are accepted (${limit.setBy})`);
}

/** The body's text once it is within its limits, hashed when an Idempotency-Key asks for it. */
function bodyText(request: FastifyRequest, body: Buffer, which: BodyLimit): string {
  holdToPipelineLimit(request, body, which);
  const text = utf8Body(body);
  if (request.headers['idempotency-key'] !== undefined) request.bodySha256 = sha256Hex(text);
  return text;
}

/**
 * Plain JSON.parse is fastify's parser with onProtoPoisoning and onConstructorPoisoning set to
 * 'ignore': "__proto__" and "constructor" stay ordinary own keys. That is safe here ONLY because
 * every parsed document goes straight to its pipeline's validator, which refuses those keys
 * (reason forbidden_key) before anything else reads the object; the client gets a 422 that names
 * the key instead of a generic 400. No other route uses this parser.
 */
function parseJson(text: string, element?: number): unknown {
  if (text.length === 0 && element === undefined) throw new HttpError(400, 'the body is empty', { details: [{ field: '(body)', reason: 'is empty' }] });
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const where = element === undefined ? '' : `element ${element}: `;
    throw new HttpError(400, 'the body is not valid JSON', {
      details: [{ field: '(body)', reason: `is not valid JSON: ${where}${(error as Error).message}` }],
    });
  }
}

/**
 * The documents of a body that the parser already sorted out, because at least one of them breaks
 * a rule of its text (json-text.ts in packages/pipeline). Such a document is never parsed: it is
 * rejected and kept as the text it was sent as (`raw`), like an NDJSON line that is not JSON.
 */
export class SortedBody {
  constructor(readonly items: Incoming[]) {}
}

/** JSON of the single-document route: one document, or a SortedBody holding it refused. */
export async function parseJsonDocument(request: FastifyRequest, body: Buffer): Promise<unknown> {
  const text = bodyText(request, body, 'documentBytes');
  const problem = textProblem(text);
  return problem === undefined ? parseJson(text) : new SortedBody([{ raw: text, errors: [problem] }]);
}

/**
 * JSON of the batch route: an array of documents, parsed at once when every document's text keeps
 * the rules, else element by element into a SortedBody. Anything but an array is parsed as it is,
 * for the route to refuse.
 */
export async function parseJsonBatch(request: FastifyRequest, body: Buffer): Promise<unknown> {
  const text = bodyText(request, body, 'batchBytes');
  const elements = arrayElements(text);
  if (elements === undefined) return parseJson(text);
  const problems = textProblems(text, elements);
  if (problems.every((problem) => problem === undefined)) return parseJson(text);
  return new SortedBody(
    elements.map(([start, end], index): Incoming => {
      const problem = problems[index];
      const element = text.slice(start, end).trim();
      return problem === undefined ? { doc: parseJson(element, index) } : { raw: element, errors: [problem] };
    }),
  );
}

/** An NDJSON body, kept as text: its lines are parsed one by one, so one bad line does not fail the batch. */
export class NdjsonBody {
  constructor(readonly text: string) {}
}

export async function parseNdjson(request: FastifyRequest, body: Buffer): Promise<NdjsonBody> {
  return new NdjsonBody(bodyText(request, body, 'batchBytes'));
}
