import { Type } from 'typebox';

/** Any name is looked up: one that is not served is a 404 naming it, not a 400. */
export const PipelineParamSchema = Type.String({ description: 'The name of a served pipeline.' });

export const ServedPipelinesSchema = Type.Object({
  pipelines: Type.Array(
    Type.Object({
      name: Type.String({ description: 'The name in /v1/pipelines/{pipeline}/….' }),
      revision: Type.String({ description: 'Content hash of the generation served now; every record names the revision that validated it.' }),
      description: Type.Optional(Type.String()),
    }),
  ),
});
