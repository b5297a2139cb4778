import './support/prepare.js';
import { PIPELINE_NAME_PATTERN } from '@docpipe/contract';
import { DocumentPipelineSpecSchema } from '@docpipe/pipeline';
import { Testing } from 'cdk8s';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { pipelineOpenApiSchema, PipelineCrd, structuralSchema, type JsonSchema } from '../src/constructs/pipeline-crd.js';

const synth = () => {
  const chart = Testing.chart();
  new PipelineCrd(chart, 'Crd');
  return Testing.synth(chart)[0];
};

/** Every keyword of a schema tree, with where it is. */
function keywords(schema: unknown, at = ''): string[] {
  if (schema === null || typeof schema !== 'object') return [];
  return Object.entries(schema).flatMap(([key, value]) => {
    if (key === 'default' || key === 'enum' || key === 'x-kubernetes-validations' || key === 'required' || key === 'x-kubernetes-list-map-keys') return [`${at}:${key}`];
    if (key === 'properties') return Object.entries(value as object).flatMap(([name, s]) => keywords(s, `${at}.${name}`));
    return [`${at}:${key}`, ...keywords(value, `${at}.${key}`)];
  });
}

/** The CEL rules of a schema tree, by the path they sit at. */
function rules(schema: JsonSchema, at = ''): [string, string][] {
  const own = ((schema['x-kubernetes-validations'] as { rule: string }[]) ?? []).map((r): [string, string] => [at || '(root)', r.rule]);
  const properties = Object.entries((schema['properties'] as Record<string, JsonSchema>) ?? {});
  const nested = [...properties.map(([k, v]): [string, JsonSchema] => [`${at}.${k}`, v]), ...(['items', 'additionalProperties'] as const).flatMap((k) => (typeof schema[k] === 'object' ? [[`${at}.${k}`, schema[k] as JsonSchema] as [string, JsonSchema]] : []))];
  return [...own, ...nested.flatMap(([path, s]) => rules(s, path))];
}

const STRUCTURAL = new Set([
  'type', 'description', 'default', 'format', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'pattern', 'enum', 'required',
  'items', 'additionalProperties', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-validations', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys',
]);

describe('the DocumentPipeline CRD', () => {
  const crd = synth();
  const version = crd.spec.versions[0];

  it('serves and stores v1alpha1 of documentpipelines.docpipe.dev, with a status subresource', () => {
    expect(crd.metadata.name).toBe('documentpipelines.docpipe.dev');
    expect(crd.spec).toMatchObject({ group: 'docpipe.dev', scope: 'Namespaced', names: { kind: 'DocumentPipeline', plural: 'documentpipelines' } });
    expect(version).toMatchObject({ name: 'v1alpha1', served: true, storage: true, subresources: { status: {} } });
  });

  it('has the printer columns and the CEL rules that the schema alone cannot state', () => {
    expect({ columns: version.additionalPrinterColumns, rules: rules(version.schema.openAPIV3Schema) }).toMatchSnapshot();
  });

  it('uses only keywords a structural schema allows', () => {
    const used = new Set(keywords(version.schema.openAPIV3Schema).map((k) => k.split(':').pop()!));
    expect([...used].filter((k) => !STRUCTURAL.has(k))).toEqual([]);
  });

  it('keeps users’ JSON (the document schema, the examples) as written', () => {
    const spec = version.schema.openAPIV3Schema.properties.spec.properties;
    expect(spec.schema['x-kubernetes-preserve-unknown-fields']).toBe(true);
    expect(spec.examples.properties.valid.items['x-kubernetes-preserve-unknown-fields']).toBe(true);
    expect(spec.examples.properties.invalid.items.properties.doc['x-kubernetes-preserve-unknown-fields']).toBe(true);
  });

  it('carries the spec schema’s defaults, completed so that each default is valid on its own', () => {
    const spec = version.schema.openAPIV3Schema.properties.spec.properties;
    expect(spec.topic.default).toEqual({ partitions: 6, retentionDays: 7 });
    expect(spec.scaling.default).toEqual({ minReplicas: 1, maxReplicas: 3, lagThreshold: 1000 });
    expect(spec.deletionPolicy).toMatchObject({ type: 'string', enum: ['Retain', 'Delete'], default: 'Retain' });
    expect(spec.storage.properties.indexes.items.properties.keys.additionalProperties).toEqual({ type: 'integer', enum: [1, -1] });
  });

  it('is derived from the spec’s one schema: a field added there appears here', () => {
    const derived = structuralSchema(DocumentPipelineSpecSchema);
    expect(Object.keys(derived['properties'] as object)).toEqual(Object.keys(DocumentPipelineSpecSchema.properties));
    expect(pipelineOpenApiSchema()['properties']).toHaveProperty('spec.properties.inbox.properties.enabled', { type: 'boolean', default: false, description: expect.any(String) });
  });
});

describe('structuralSchema', () => {
  it('turns a key pattern and a lookahead, which RE2 cannot run, into CEL rules', () => {
    const s = structuralSchema(Type.Object({ fields: Type.Record(Type.String({ pattern: '^[a-z]+$' }), Type.String()), name: Type.String({ pattern: '^(?!system\\.)[a-z.]+$' }) }));
    expect(s).toMatchObject({
      properties: {
        fields: { type: 'object', additionalProperties: { type: 'string' }, 'x-kubernetes-validations': [{ rule: "self.all(k, k.matches('^[a-z]+$'))" }] },
        name: { type: 'string', pattern: '^[a-z.]+$', 'x-kubernetes-validations': [{ rule: "!self.matches('^system\\\\.')" }] },
      },
    });
  });

  it('refuses what it cannot express, instead of dropping it', () => {
    expect(() => structuralSchema(Type.Union([Type.String(), Type.Number()]))).toThrow(/only unions of literals/);
    expect(() => structuralSchema({ type: 'string', pattern: '^(?=a)b$' })).toThrow(/RE2/);
    expect(() => structuralSchema({ type: 'object', oneOf: [] })).toThrow(/oneOf has no structural equivalent/);
  });

  it('names pipelines with the contract’s pattern', () => {
    const root = pipelineOpenApiSchema()['x-kubernetes-validations'] as { rule: string }[];
    expect(root[0]!.rule).toContain(PIPELINE_NAME_PATTERN);
  });
});
