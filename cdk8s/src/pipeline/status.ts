// The status of a DocumentPipeline: written by the operator, served by the CRD's status
// subresource. One definition for both, like the spec's.
import { Type, type Static } from 'typebox';

const text = (description: string) => Type.String({ description });

/** metav1.Condition, with the limits the API server's own type carries. */
export const ConditionSchema = Type.Object(
  {
    type: Type.String({ maxLength: 316, description: 'Ready, Progressing or Degraded.' }),
    status: Type.Union([Type.Literal('True'), Type.Literal('False'), Type.Literal('Unknown')]),
    observedGeneration: Type.Optional(Type.Integer({ minimum: 0, description: 'The metadata.generation this condition was computed from.' })),
    lastTransitionTime: Type.String({ format: 'date-time', description: 'When status last changed.' }),
    reason: Type.String({ minLength: 1, maxLength: 1024, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' }),
    message: Type.String({ maxLength: 32768, description: 'What happened, and what to do about it.' }),
  },
  { additionalProperties: false },
);

/** What the ready replicas of one part serve of this pipeline, as each replica's /metrics says. */
export const PartServingSchema = Type.Object(
  {
    replicas: Type.Integer({ minimum: 0, description: 'Ready replicas.' }),
    current: Type.Integer({ minimum: 0, description: 'Ready replicas that serve the revision in status.revision.' }),
    generations: Type.Array(Type.Integer({ minimum: 0 }), { description: 'The metadata.generation each served revision came from, oldest first, without repeats.' }),
  },
  { additionalProperties: false },
);

export const DocumentPipelineStatusSchema = Type.Object(
  {
    observedGeneration: Type.Optional(Type.Integer({ minimum: 0, description: 'The metadata.generation the operator last acted on.' })),
    revision: Type.Optional(text('Content hash of the spec the operator rendered (the revision ingest and the consumer compute for it).')),
    topics: Type.Optional(
      Type.Object(
        {
          documents: text('Validated documents.'),
          rejected: text('Refused documents with their reasons.'),
          deadletter: text('Records that can never be stored.'),
          inbox: Type.Optional(text('Records from Kafka producers, validated by the consumer.')),
        },
        { additionalProperties: false },
      ),
    ),
    collections: Type.Optional(Type.Object({ documents: text('Stored documents.'), rejected: text('Rejections.') }, { additionalProperties: false })),
    serving: Type.Optional(
      Type.Object(
        { ingest: PartServingSchema, consumer: PartServingSchema },
        { additionalProperties: false, description: 'Which revision ingest and this pipeline\'s consumer serve, replica by replica.' },
      ),
    ),
    conditions: Type.Optional(
      Type.Array(ConditionSchema, { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
    ),
  },
  { additionalProperties: false },
);

export type Condition = Static<typeof ConditionSchema>;
export type PartServing = Static<typeof PartServingSchema>;
export type DocumentPipelineStatus = Static<typeof DocumentPipelineStatusSchema>;
