// The DocumentPipeline CRD, derived from the spec's one schema (packages/pipeline): the API
// server then validates and defaults exactly what the loader does, and the rules a JSON Schema
// cannot state are CEL validations beside it.
import { PIPELINE_NAME_PATTERN } from '@docpipe/contract';
import { API_GROUP, DocumentPipelineSpecSchema, KIND } from '@docpipe/pipeline';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { DocumentPipelineStatusSchema } from '../pipeline/status.js';

export type JsonSchema = { readonly [key: string]: unknown };

export interface CelRule {
  readonly rule: string;
  readonly message: string;
}

/** Keywords a structural schema takes as they are. */
const KEPT = new Set([
  'type',
  'description',
  'default',
  'format',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'enum',
  'required',
]);

const cel = (value: string) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/**
 * RE2 (the API server's and CEL's regex engine) has no lookahead. A pattern that opens with a
 * negative lookahead `^(?!X)rest` becomes the pattern `^rest` and a CEL rule that refuses `^X`.
 */
function splitLookahead(pattern: string): { pattern: string; refused?: string } {
  const m = /^\^\(\?!((?:[^()\\]|\\.)+)\)(.*)$/.exec(pattern);
  if (!m) {
    if (pattern.includes('(?')) throw new Error(`pattern ${pattern} uses a group RE2 cannot run`);
    return { pattern };
  }
  return { pattern: `^${m[2]}`, refused: `^${m[1]}` };
}

/** `anyOf` of literals, the only union the spec uses, is an enum of one type. */
function literalUnion(anyOf: JsonSchema[], at: string): JsonSchema {
  const values = anyOf.map((s) => {
    if (!('const' in s)) throw new Error(`${at}: only unions of literals can be expressed as a structural schema`);
    return s['const'];
  });
  const type = values.every((v) => Number.isInteger(v)) ? 'integer' : typeof values[0];
  if (!values.every((v) => (type === 'integer' ? Number.isInteger(v) : typeof v === type))) {
    throw new Error(`${at}: a union of literals of different types is not structural`);
  }
  return { type, enum: values };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The API server checks a default as it is written, before defaulting its members, against the
 * schema and the CEL rules: `default: {}` is completed with its members' defaults.
 */
function withMemberDefaults(value: Record<string, unknown>, properties: Record<string, JsonSchema>): Record<string, unknown> {
  const filled = { ...value };
  for (const [key, member] of Object.entries(properties)) {
    if (filled[key] === undefined && member['default'] !== undefined) filled[key] = structuredClone(member['default']);
  }
  return filled;
}

/**
 * A TypeBox (JSON Schema) definition as a Kubernetes structural schema: what it cannot say
 * (patternProperties, a lookahead) becomes additionalProperties and CEL rules; TypeBox's own keys
 * (non-enumerable `~kind`, `~optional`) are not copied; `additionalProperties: false` is dropped,
 * since the API server prunes unknown fields itself. Any other keyword is an error, so nothing of
 * the spec's schema is lost without a word.
 */
export function structuralSchema(schema: object, at = '(root)'): JsonSchema {
  const out: Record<string, unknown> = {};
  const rules: CelRule[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (KEPT.has(key) || key.startsWith('x-kubernetes-')) out[key] = value;
    else if (key === 'properties') {
      out[key] = Object.fromEntries(Object.entries(value as Record<string, JsonSchema>).map(([k, v]) => [k, structuralSchema(v, `${at}.${k}`)]));
    } else if (key === 'items') out[key] = structuralSchema(value as JsonSchema, `${at}[]`);
    else if (key === 'additionalProperties') {
      if (value !== false) out[key] = structuralSchema(value as JsonSchema, `${at}.*`);
    } else if (key === 'patternProperties') {
      const entries = Object.entries(value as Record<string, JsonSchema>);
      if (entries.length !== 1) throw new Error(`${at}: only one key pattern can be expressed`);
      const [keyPattern, valueSchema] = entries[0]!;
      out['additionalProperties'] = structuralSchema(valueSchema, `${at}.*`);
      if (keyPattern !== '^.*$') rules.push({ rule: `self.all(k, k.matches(${cel(keyPattern)}))`, message: `every key must match ${keyPattern}` });
    } else if (key === 'pattern') {
      const { pattern, refused } = splitLookahead(value as string);
      out[key] = pattern;
      if (refused) rules.push({ rule: `!self.matches(${cel(refused)})`, message: `must not match ${refused}` });
    } else if (key === 'anyOf') Object.assign(out, literalUnion(value as JsonSchema[], at));
    else throw new Error(`${at}: JSON Schema keyword ${key} has no structural equivalent`);
  }
  if (isObject(out['default']) && out['properties']) out['default'] = withMemberDefaults(out['default'], out['properties'] as Record<string, JsonSchema>);
  if (rules.length > 0) out['x-kubernetes-validations'] = [...((out['x-kubernetes-validations'] as CelRule[]) ?? []), ...rules];
  return out;
}

/** Adds CEL rules at a dotted path of properties (`spec.topic.partitions`). */
export function withRules(schema: JsonSchema, path: string, rules: readonly CelRule[]): JsonSchema {
  const [head, ...rest] = path.split('.').filter(Boolean);
  if (head === undefined) {
    return { ...schema, 'x-kubernetes-validations': [...((schema['x-kubernetes-validations'] as CelRule[]) ?? []), ...rules] };
  }
  const properties = schema['properties'] as Record<string, JsonSchema> | undefined;
  const child = properties?.[head];
  if (!properties || !child) throw new Error(`the schema has no property ${head} for CEL rules at ${path}`);
  return { ...schema, properties: { ...properties, [head]: withRules(child, rest.join('.'), rules) } };
}

/**
 * The rules about a pipeline that one value of the schema cannot state: how it may change, how
 * two fields relate, and its name, which metadata's schema may not constrain.
 */
export const PIPELINE_RULES: Readonly<Record<string, readonly CelRule[]>> = {
  '': [
    {
      rule: `self.metadata.name.matches(${cel(PIPELINE_NAME_PATTERN)})`,
      message: `metadata.name must match ${PIPELINE_NAME_PATTERN}: it names topics, collections and Kubernetes objects`,
    },
  ],
  spec: [
    {
      rule: 'self.scaling.maxReplicas <= self.topic.partitions',
      message: 'scaling.maxReplicas must not exceed topic.partitions: a consumer beyond the partitions gets none',
    },
  ],
  'spec.topic': [
    {
      rule: '(has(self.name) == has(oldSelf.name)) && (!has(self.name) || self.name == oldSelf.name)',
      message: 'topic.name cannot change: the records stay in the old topic, and the new one would start empty',
    },
  ],
  'spec.topic.partitions': [{ rule: 'self >= oldSelf', message: 'partitions may only grow: Kafka cannot take partitions away from a topic' }],
  'spec.scaling': [{ rule: 'self.minReplicas <= self.maxReplicas', message: 'scaling.minReplicas must not exceed maxReplicas' }],
  'spec.ingest': [
    {
      rule: '!has(self.maxBatchBytes) || !has(self.maxDocumentBytes) || self.maxBatchBytes >= self.maxDocumentBytes',
      message: 'ingest.maxBatchBytes must not be smaller than maxDocumentBytes',
    },
  ],
};

/** The openAPIV3Schema of the served version: the spec's schema, the status, and the rules. */
export function pipelineOpenApiSchema(): JsonSchema {
  const root: JsonSchema = {
    type: 'object',
    description: 'A document type end to end: its schema, transform, topic, collections, limits and scaling (docs/pipelines.md).',
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: structuralSchema(DocumentPipelineSpecSchema, 'spec'),
      status: structuralSchema(DocumentPipelineStatusSchema, 'status'),
    },
  };
  return Object.entries(PIPELINE_RULES).reduce((schema, [path, rules]) => withRules(schema, path, rules), root);
}

export const PIPELINE_PLURAL = 'documentpipelines';

export interface PipelineCrdProps {
  /**
   * Short names for kubectl.
   * @default ['dp']
   */
  readonly shortNames?: readonly string[];
}

/** CustomResourceDefinition documentpipelines.docpipe.dev: v1alpha1, served and stored, with a status subresource. */
export class PipelineCrd extends Construct {
  public readonly name = `${PIPELINE_PLURAL}.${API_GROUP}`;
  constructor(scope: Construct, id: string, props: PipelineCrdProps = {}) {
    super(scope, id);
    new ApiObject(this, 'Resource', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: this.name },
      spec: {
        group: API_GROUP,
        scope: 'Namespaced',
        names: {
          kind: KIND,
          listKind: `${KIND}List`,
          plural: PIPELINE_PLURAL,
          singular: KIND.toLowerCase(),
          shortNames: [...(props.shortNames ?? ['dp'])],
          categories: ['docpipe'],
        },
        versions: [
          {
            name: 'v1alpha1',
            served: true,
            storage: true,
            subresources: { status: {} },
            additionalPrinterColumns: [
              { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
              { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason', priority: 1 },
              { name: 'Generation', type: 'integer', jsonPath: '.metadata.generation' },
              { name: 'Topic', type: 'string', jsonPath: '.status.topics.documents' },
              { name: 'Revision', type: 'string', jsonPath: '.status.revision', priority: 1 },
              { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
            ],
            schema: { openAPIV3Schema: pipelineOpenApiSchema() },
          },
        ],
      },
    });
  }
}
