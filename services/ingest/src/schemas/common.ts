// The limits of JSON text are packages/pipeline's: the consumer holds inbox records to them too.
import { FieldErrorSchema, JSON_TEXT_LIMITS } from '@docpipe/pipeline';
import { Type, type TRef, type TSchema } from 'typebox';
import { RETRY_AFTER_SECONDS } from '../lib/errors.js';

/** The one rule for the text of every JSON body, as the OpenAPI document states it. */
export const JSON_TEXT_RULE =
  'Every JSON body must be UTF-8: other bytes are answered 400, never replaced. Its text is checked before it is parsed, ' +
  `and refused with 422 (details name where) when it nests objects and arrays deeper than ${JSON_TEXT_LIMITS.depth} levels, ` +
  `holds more than ${JSON_TEXT_LIMITS.keys} keys (a batch: per document), or escapes a lone UTF-16 surrogate such as \\ud800 ` +
  "(no character; I-JSON, RFC 7493, forbids it). A document refused so is kept on its pipeline's rejected topic as the text it was sent as.";

/** The 422 of a body that is not a document. */
export const TEXT_REFUSED = 'The JSON text breaks a rule checked before parsing (nesting, key count, a lone surrogate escape); details say where.';

export const ErrorSchema = Type.Object(
  {
    error: Type.String({ description: 'The HTTP status text, e.g. "Unprocessable Entity".' }),
    message: Type.Optional(Type.String({ description: 'What went wrong, for people.' })),
    details: Type.Optional(Type.Array(Type.Ref('FieldError'), { description: 'One entry per problem: the field and why.' })),
    ids: Type.Optional(Type.Array(Type.String(), { description: "With a 504: the ids the request's documents were sent under, in request order." })),
  },
  { $id: 'Error', title: 'Error' },
);

/**
 * Added with app.addSchema and referenced by $id, so OpenAPI lists each once under components.
 * The documents' schemas are not among them: they belong to the pipelines, which change live
 * (lib/openapi.ts adds them to every /docs/json answer).
 */
export const SHARED_SCHEMAS: readonly TSchema[] = [FieldErrorSchema, ErrorSchema];

const RETRY_AFTER = {
  'retry-after': { type: 'integer', description: `Seconds to wait before retrying (${RETRY_AFTER_SECONDS} for a 503).` },
};

/** Error responses for a route's schema: status code → description (Retry-After is documented on 429 and 503). */
export function errorResponses<const R extends Record<number, string>>(responses: R): { [K in keyof R]: TRef<'Error'> } {
  return Object.fromEntries(
    Object.entries(responses).map(([status, description]) => [
      status,
      Type.Ref('Error', { description, ...(status === '429' || status === '503' ? { headers: RETRY_AFTER } : {}) }),
    ]),
  ) as { [K in keyof R]: TRef<'Error'> };
}

/** Patterns in words: a schema error alone would show the client a regular expression. */
export const PATTERN_REASONS: Readonly<Record<string, string>> = {
  username: "may contain only letters, digits, '_', '.' and '-'",
  'idempotency-key': 'must be 1 to 255 visible ASCII characters (no spaces)',
  id: 'must be a UUID',
};

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
