import { Type } from 'typebox';
import { UUID_PATTERN } from './common.js';

export const IdempotencyHeadersSchema = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7E]+$',
      description:
        'Makes a retry safe: the same key with the same body gets the same document ids, so the store keeps one copy. ' +
        'The same key with a different body is refused (422). 1 to 255 visible ASCII characters. Keys are per user and per pipeline.',
    }),
  ),
});

export const DocumentIdSchema = Type.String({ pattern: UUID_PATTERN, description: 'A document id as returned by POST.' });

export const AcceptedSchema = Type.Object({
  id: Type.String({ format: 'uuid', description: 'The document id; GET …/documents/{id} returns it once stored.' }),
});

const BatchItemSchema = Type.Object(
  {
    index: Type.Integer({ description: 'Position of the document in the batch (0-based; blank NDJSON lines are not counted).' }),
    id: Type.Optional(Type.String({ format: 'uuid', description: 'Set when the document was accepted.' })),
    errors: Type.Optional(Type.Array(Type.Ref('FieldError'), { description: 'Set when the document was rejected.' })),
  },
  { description: 'Either {index, id} (accepted) or {index, errors} (rejected).' },
);

export const BatchResultSchema = Type.Object({
  error: Type.Optional(Type.String({ description: 'Present (422) when no document was accepted.' })),
  message: Type.Optional(Type.String()),
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  results: Type.Array(BatchItemSchema),
});

/** 422: a batch without a single valid document, or {error, message} for an Idempotency-Key reused with another body. */
export const BatchRefusedSchema = Type.Object(
  {
    error: Type.String(),
    message: Type.Optional(Type.String()),
    accepted: Type.Optional(Type.Integer()),
    rejected: Type.Optional(Type.Integer()),
    results: Type.Optional(Type.Array(BatchItemSchema)),
  },
  { description: 'No document was valid (results say why), or the Idempotency-Key was used with another body.' },
);

const timestamp = (description: string) => Type.String({ format: 'date-time', description });

export const StoredDocumentSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    owner: Type.String({ format: 'uuid' }),
    ingestedAt: timestamp('When ingest accepted the document.'),
    storedAt: timestamp('When the consumer stored it.'),
  },
  {
    additionalProperties: true,
    description:
      "The document's fields, those its pipeline's transform computed (spec.transform.fields), and where it came from " +
      '(pipeline, validatedBy, transformedBy: revisions of the spec). Every date is an ISO-8601 UTC string.',
  },
);
