import { DEFAULT_PIPELINE } from '@docpipe/contract';
import type { CompiledPipeline } from '@docpipe/pipeline';
import type { Config } from '../config.js';
import { pipelineLimits } from './limits.js';

/** What a document route takes, for the OpenAPI document: one document, or a batch of them. */
export type DocumentBody = 'document' | 'batch';

declare module 'fastify' {
  interface FastifySchema {
    /** Marks a route whose request body is its pipeline's documents (they change live, so they are added per answer). */
    'x-docpipe-body'?: DocumentBody;
    /** Marks a route that takes a missing body as an empty one: its published body is optional. */
    'x-docpipe-optional-body'?: true;
  }
}

type Json = Record<string, unknown>;
interface Parameter {
  readonly in: string;
  readonly name: string;
}
type Operation = Json & { parameters?: Parameter[]; 'x-docpipe-body'?: DocumentBody; 'x-docpipe-optional-body'?: true; requestBody?: Json };

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

function requestBody(kind: DocumentBody, doc: Json, maxItems: number): Json {
  if (kind === 'document') return { required: true, content: { 'application/json': { schema: doc } } };
  return {
    required: true,
    content: {
      'application/json': {
        // Each element is validated on its own, and any JSON value is a rejected one, not a 400:
        // what the array must hold is one valid document (202), and none is a 422.
        schema: {
          type: 'array',
          minItems: 1,
          maxItems,
          contains: doc,
          description:
            `A JSON array of 1 to ${maxItems} elements. Each is validated on its own: the answer lists each one's id or its ` +
            'reasons, and is a 202 when at least one is a valid document, a 422 when none is.',
        },
      },
      'application/x-ndjson': {
        schema: {
          type: 'string',
          pattern: '\\S',
          description: `One document per line, 1 to ${maxItems} of them; blank lines are ignored and not counted.`,
        },
      },
    },
  };
}

/** Each token of an x-date-format as a pattern of the values the keyword can accept. */
const TIME_TOKENS: Record<string, string> = { HH: '([01][0-9]|2[0-3])', MM: '[0-5][0-9]', SS: '[0-5][0-9]' };
const YEAR = '[0-9]{4}';
/** Years divisible by 4 and not by 100, or by 400; not 0000, which the keyword reads as 1900. */
const LEAP_YEAR = '([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)';
/** Day, month and year together, as the calendar allows them. */
const CALENDAR = [
  { dd: '(0[1-9]|1[0-9]|2[0-8])', mm: '(0[1-9]|1[0-2])', YYYY: YEAR },
  { dd: '(29|30)', mm: '(0[13-9]|1[0-2])', YYYY: YEAR },
  { dd: '31', mm: '(0[13578]|1[02])', YYYY: YEAR },
  { dd: '29', mm: '02', YYYY: LEAP_YEAR },
];
const DATE_TOKEN = /YYYY|dd|mm|HH|MM|SS/g;

/**
 * The values an x-date-format accepts (its shape and the real calendar dates and times), as a
 * pattern: the published schema says what the server enforces, for clients and for API fuzzers
 * that do not know Docpipe's keyword.
 */
export function dateFormatPattern(format: string): string {
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const one = (parts: Record<string, string>) => {
    let pattern = '';
    let from = 0;
    for (const match of format.matchAll(DATE_TOKEN)) {
      pattern += literal(format.slice(from, match.index)) + (parts[match[0]] ?? TIME_TOKENS[match[0]]);
      from = match.index + match[0].length;
    }
    return pattern + literal(format.slice(from));
  };
  return `^(${CALENDAR.map(one).join('|')})$`;
}

const VALUE_KEYWORDS = new Set(['examples', 'enum', 'const', 'default']);

/**
 * A pipeline's schema as published: a copy in which every x-date-format also has its pattern and
 * says its rule in words. What validates is the spec's schema as written.
 */
function published(schema: Json): Json {
  const copy = structuredClone(schema);
  const pending: unknown[] = [copy];
  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node !== 'object' || node === null) continue;
    // Values, not schemas: a document in them may hold any key.
    for (const [key, child] of Object.entries(node)) if (!VALUE_KEYWORDS.has(key)) pending.push(child);
    const format = (node as Json)['x-date-format'];
    if (typeof format !== 'string' || Array.isArray(node)) continue;
    const rule = `Checked by the server: formatted ${format}, and a real calendar date and time (UTC).`;
    const described = (node as Json)['description'];
    Object.assign(node, { pattern: dateFormatPattern(format), description: typeof described === 'string' ? `${described} ${rule}` : rule });
  }
  return copy;
}

/** The path parameter of the routes that serve every pipeline: each served one gets paths of its own. */
const PIPELINE_PARAMETER = '{pipeline}';

/** An operation of a /v1/pipelines/{pipeline}/… path as the same operation on one pipeline's own path. */
function forPipeline(operation: Operation, name: string): Operation {
  const copy = structuredClone(operation);
  const parameters = copy.parameters?.filter((p) => !(p.in === 'path' && p.name === 'pipeline'));
  if (parameters === undefined || parameters.length === 0) delete copy.parameters;
  else copy.parameters = parameters;
  if (typeof copy['summary'] === 'string') copy['summary'] = `${copy['summary']} (${name})`;
  return copy;
}

/**
 * Adds the served pipelines to an OpenAPI document built from the routes: each pipeline's schema
 * (its spec's `schema`, the same that validates) as a component, and the /v1/pipelines/{pipeline}/…
 * routes as paths of each served pipeline, whose bodies are its documents and its limits. One path
 * with a `pipeline` parameter could only take the documents of every pipeline at once, which the
 * server refuses on all but one. It runs on every answer of /docs/json, so the document follows
 * the pipelines as they switch.
 */
export function withPipelines(spec: Json, served: readonly CompiledPipeline[], ceilings: Config['limits']): Json {
  const pipelines = [...served].sort((a, b) => a.name.localeCompare(b.name));
  const components = ((spec['components'] ??= {}) as Json)['schemas'] ??= {};
  const schemas = components as Json;
  const names = componentNames(pipelines, new Set(Object.keys(schemas)));
  for (const pipeline of pipelines) {
    // The name carries the $id; a relative $id inside components would only confuse resolvers.
    const { $id: _id, ...schema } = published(pipeline.spec.schema as Json);
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
  const batchDocuments = (pipeline: CompiledPipeline | undefined) =>
    pipeline ? pipelineLimits(pipeline, ceilings).batchDocuments.value : ceilings.batchMaxDocuments;
  /** Replaces the route's markers with what they stand for, for the pipeline whose documents it takes. */
  const finish = (operations: Record<string, Operation>, doc: Json, pipeline: CompiledPipeline | undefined) => {
    for (const operation of Object.values(operations)) {
      if (operation['x-docpipe-optional-body']) {
        delete operation['x-docpipe-optional-body'];
        if (operation.requestBody) operation.requestBody['required'] = false;
      }
      const kind = operation['x-docpipe-body'];
      if (kind === undefined) continue;
      delete operation['x-docpipe-body'];
      operation.requestBody = requestBody(kind, doc, batchDocuments(pipeline));
    }
  };

  const paths: Record<string, Record<string, Operation>> = {};
  for (const [path, operations] of Object.entries((spec['paths'] ?? {}) as Record<string, Record<string, Operation>>)) {
    if (!path.includes(PIPELINE_PARAMETER)) {
      finish(operations, ref(DEFAULT_PIPELINE), pipelines.find((p) => p.name === DEFAULT_PIPELINE));
      paths[path] = operations;
    } else if (pipelines.length === 0) {
      finish(operations, { description: 'No pipeline is loaded.' }, undefined);
      paths[path] = operations;
    } else {
      for (const pipeline of pipelines) {
        const own = Object.fromEntries(Object.entries(operations).map(([method, operation]) => [method, forPipeline(operation, pipeline.name)]));
        finish(own, ref(pipeline.name), pipeline);
        paths[path.replace(PIPELINE_PARAMETER, pipeline.name)] = own;
      }
    }
  }
  spec['paths'] = paths;
  return spec;
}
