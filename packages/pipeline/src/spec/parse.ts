import { readFileSync } from 'node:fs';
import { Value } from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import { compilePipeline, PipelineSpecError, type CompiledPipeline } from '../compile/pipeline.js';
import { DocumentPipelineSchema, type DocumentPipeline } from './schema.js';

/** `/spec/topic/partitions` -> `spec.topic.partitions`, as a person reads a YAML path. */
const dotted = (pointer: string) => pointer.slice(1).replaceAll('/', '.') || '(resource)';

/** Checks a resource against the spec's schema, with its defaults applied; throws naming every problem. */
export function parseResource(value: unknown, source: string): DocumentPipeline {
  const withDefaults = Value.Default(DocumentPipelineSchema, structuredClone(value));
  if (!Value.Check(DocumentPipelineSchema, withDefaults)) {
    const problems = [...Value.Errors(DocumentPipelineSchema, withDefaults)].map((e) => `${dotted(e.instancePath)} ${e.message}`);
    throw new PipelineSpecError(source, [...new Set(problems)]);
  }
  return withDefaults as DocumentPipeline;
}

/** Parses the YAML of one DocumentPipeline resource and compiles it, examples included. */
export function compilePipelineYaml(text: string, source: string): CompiledPipeline {
  let value: unknown;
  try {
    value = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new PipelineSpecError(source, [`is not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  return compilePipeline(parseResource(value, source), source);
}

/** Reads, parses and compiles one spec file; the file's path names it in every message. */
export function compilePipelineFile(path: string): CompiledPipeline {
  return compilePipelineYaml(readFileSync(path, 'utf8'), path);
}
