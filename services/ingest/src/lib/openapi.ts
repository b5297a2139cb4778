import { DEFAULT_PIPELINE } from '@docpipe/contract';
import type { CompiledPipeline } from '@docpipe/pipeline';

/** What a document route takes, for the OpenAPI document: one document, or a batch of them. */
export type DocumentBody = 'document' | 'batch';

declare module 'fastify' {
  interface FastifySchema {
    /** Marks a route whose request body is its pipeline's documents (they change live, so they are added per answer). */
    'x-docpipe-body'?: DocumentBody;
  }
}

type Json = Record<string, unknown>;
interface Parameter {
  readonly in: string;
  readonly name: string;
  schema?: Json;
}
type Operation = Json & { parameters?: Parameter[]; 'x-docpipe-body'?: DocumentBody; requestBody?: Json };

const COMPONENT_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * Each pipeline's schema gets a component: named by the schema's `$id` (`Invoice`, `Order`), or
 * by the pipeline's name when it has none or another schema holds that name.
 */
function componentNames(pipelines: readonly CompiledPipeline[], taken: Set<string>): Map<string, string> {
  const names = new Map<string, string>();
  for (const pipeline of pipelines) {
    const id = (pipeline.spec.schema as { $id?: unknown }).$id;
    const candidates = [typeof id === 'string' && COMPONENT_NAME.test(id) ? id : undefined, pipeline.name, `${pipeline.name}-${pipeline.revision}`];
    const name = candidates.find((c): c is string => c !== undefined && !taken.has(c)) as string;
    taken.add(name);
    names.set(pipeline.name, name);
  }
  return names;
}

function requestBody(kind: DocumentBody, doc: Json): Json {
  if (kind === 'document') return { required: true, content: { 'application/json': { schema: doc } } };
  return {
    required: true,
    content: {
      'application/json': { schema: { type: 'array', items: doc, description: 'A JSON array of documents.' } },
      'application/x-ndjson': { schema: { type: 'string', description: 'One document per line; blank lines are ignored.' } },
    },
  };
}

/**
 * Adds the served pipelines to an OpenAPI document built from the routes: each pipeline's schema
 * (its spec's `schema`, the same that validates) as a component, the body of every document route,
 * and the served names as the values of the `pipeline` path parameter. It runs on every answer of
 * /docs/json, so the document follows the pipelines as they switch.
 */
export function withPipelines(spec: Json, served: readonly CompiledPipeline[]): Json {
  const pipelines = [...served].sort((a, b) => a.name.localeCompare(b.name));
  const components = ((spec['components'] ??= {}) as Json)['schemas'] ??= {};
  const schemas = components as Json;
  const names = componentNames(pipelines, new Set(Object.keys(schemas)));
  for (const pipeline of pipelines) {
    // The name carries the $id; a relative $id inside components would only confuse resolvers.
    const { $id: _id, ...schema } = pipeline.spec.schema as Json;
    schemas[names.get(pipeline.name) as string] = {
      ...(pipeline.spec.description === undefined ? {} : { description: pipeline.spec.description }),
      ...schema,
      'x-docpipe-pipeline': pipeline.name,
      'x-docpipe-revision': pipeline.revision,
    };
  }

  const ref = (pipeline: string): Json => {
    const name = names.get(pipeline);
    return name === undefined ? { description: `The ${pipeline} pipeline is not loaded.` } : { $ref: `#/components/schemas/${name}` };
  };
  const inPath: Json =
    pipelines.length === 0
      ? { description: 'No pipeline is loaded.' }
      : { anyOf: pipelines.map((p) => ref(p.name)), description: 'A document of the pipeline named in the path.' };

  for (const operations of Object.values((spec['paths'] ?? {}) as Record<string, Record<string, Operation>>)) {
    for (const operation of Object.values(operations)) {
      const param = operation.parameters?.find((p) => p.in === 'path' && p.name === 'pipeline');
      if (param && pipelines.length > 0) param.schema = { ...param.schema, enum: pipelines.map((p) => p.name) };
      const kind = operation['x-docpipe-body'];
      if (kind === undefined) continue;
      delete operation['x-docpipe-body'];
      operation.requestBody = requestBody(kind, param ? inPath : ref(DEFAULT_PIPELINE));
    }
  }
  return spec;
}
