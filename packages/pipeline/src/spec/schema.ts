import { COLLECTION_NAME_PATTERN, PIPELINE_NAME_PATTERN, TOPIC_NAME_PATTERN } from '@docpipe/contract';
import { Type, type Static } from 'typebox';

export const API_GROUP = 'docpipe.dev';
export const API_VERSION = `${API_GROUP}/v1alpha1`;
export const KIND = 'DocumentPipeline';

/**
 * Parts of a spec that hold users' JSON (a JSON Schema, example documents): any JSON, kept as
 * written. The extension tells the Kubernetes API server not to prune what the CRD schema does not
 * describe.
 */
const AnyJson = (description: string) => Type.Unknown({ description, 'x-kubernetes-preserve-unknown-fields': true });

const count = (description: string, minimum: number, maximum: number, defaultValue?: number) =>
  Type.Integer({ description, minimum, maximum, ...(defaultValue === undefined ? {} : { default: defaultValue }) });

const FieldErrorExample = Type.Object(
  {
    field: Type.String({ minLength: 1, description: 'The field that fails, as the API names it (`lines[0].quantity`).' }),
    reason: Type.Optional(Type.String({ minLength: 1, description: 'When given, the reason must be exactly this text.' })),
  },
  { additionalProperties: false },
);

const Examples = Type.Object(
  {
    valid: Type.Array(AnyJson('A document that must pass the schema and go through the transform.'), {
      minItems: 1,
      description: 'Documents that must be accepted.',
    }),
    invalid: Type.Array(
      Type.Object(
        {
          doc: AnyJson('A document that must be refused.'),
          errors: Type.Array(FieldErrorExample, { minItems: 1, description: 'Exactly the fields that fail.' }),
        },
        { additionalProperties: false },
      ),
      { default: [], description: 'Documents that must be refused, with the fields that fail.' },
    ),
  },
  { additionalProperties: false, description: 'Run before a spec goes live; a spec whose examples do not behave as declared is refused.' },
);

const Transform = Type.Object(
  {
    fields: Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String({ minLength: 1 }), {
      description:
        'Stored field name -> CEL expression over `doc` (the validated document). The stored document is the document ' +
        'with these fields set; functions: date(text, format), round(number, digits), sum(list).',
    }),
  },
  { additionalProperties: false, description: 'How a valid document becomes the stored one; runs in the consumer.' },
);

const Topic = Type.Object(
  {
    name: Type.Optional(Type.String({ pattern: TOPIC_NAME_PATTERN, description: 'Defaults to the pipeline name.' })),
    partitions: count('Partitions of the documents topic: the ceiling of useful consumer replicas.', 1, 1000, 6),
    retentionDays: count('How long Kafka keeps the records.', 1, 3650, 7),
  },
  { additionalProperties: false, default: {} },
);

const Index = Type.Object(
  {
    keys: Type.Record(Type.String({ minLength: 1 }), Type.Union([Type.Literal(1), Type.Literal(-1)]), {
      description: 'Field -> 1 (ascending) or -1 (descending).',
    }),
    unique: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);

const Storage = Type.Object(
  {
    collection: Type.Optional(Type.String({ pattern: COLLECTION_NAME_PATTERN, description: 'Defaults to the pipeline name.' })),
    rejectedCollection: Type.Optional(
      Type.String({ pattern: COLLECTION_NAME_PATTERN, description: 'Defaults to `<collection>_rejected`.' }),
    ),
    indexes: Type.Array(Index, { default: [], description: 'Secondary indexes of the documents collection.' }),
  },
  { additionalProperties: false, default: {} },
);

const Ingest = Type.Object(
  {
    maxDocumentBytes: Type.Optional(count('Bytes of one document; at most the service ceiling DOCUMENT_MAX_BYTES.', 64, 16 * 1024 * 1024)),
    maxBatchDocuments: Type.Optional(count('Documents per batch; at most BATCH_MAX_DOCUMENTS.', 1, 1_000_000)),
    maxBatchBytes: Type.Optional(count('Bytes of one batch request; at most BATCH_MAX_BYTES.', 1024, 256 * 1024 * 1024)),
  },
  { additionalProperties: false, default: {}, description: 'Limits of this pipeline, within the ceilings ingest is configured with.' },
);

const Scaling = Type.Object(
  {
    minReplicas: count('Fewest consumer replicas.', 0, 1000, 1),
    maxReplicas: count('Most consumer replicas; more than the partitions would sit idle.', 1, 1000, 3),
    lagThreshold: count('Records of lag per replica at which one more is added.', 1, 10_000_000, 1000),
  },
  { additionalProperties: false, default: {} },
);

const Inbox = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description: 'Accept records produced directly to `<name>.inbox`; the consumer validates them like ingest does.',
    }),
  },
  { additionalProperties: false, default: {} },
);

/** The spec of a DocumentPipeline: one definition that the local loader, the CRD and the docs share. */
export const DocumentPipelineSpecSchema = Type.Object(
  {
    description: Type.Optional(Type.String()),
    schema: AnyJson('JSON Schema (2020-12) of one document: the only validation and the OpenAPI of its routes.'),
    transform: Transform,
    examples: Examples,
    topic: Topic,
    storage: Storage,
    ingest: Ingest,
    scaling: Scaling,
    inbox: Inbox,
    deletionPolicy: Type.Union([Type.Literal('Retain'), Type.Literal('Delete')], {
      default: 'Retain',
      description: 'What deleting the pipeline does to its topics and collections.',
    }),
  },
  { additionalProperties: false },
);

export const DocumentPipelineSchema = Type.Object({
  apiVersion: Type.Literal(API_VERSION),
  kind: Type.Literal(KIND),
  metadata: Type.Object({
    name: Type.String({ pattern: PIPELINE_NAME_PATTERN }),
    generation: Type.Optional(Type.Integer({ minimum: 1 })),
  }),
  spec: DocumentPipelineSpecSchema,
});

export type DocumentPipelineSpec = Static<typeof DocumentPipelineSpecSchema>;
export type DocumentPipeline = Static<typeof DocumentPipelineSchema>;
