import { readFileSync } from 'node:fs';
import { compilePipelineYaml, withoutKind, type CompiledPipeline, type FieldError } from '@docpipe/pipeline';

const compiled = new Map<string, CompiledPipeline>();

/** pipelines/<name>.yaml of the repository, compiled as the services compile it (once per name). */
export function repositoryPipeline(name: string): CompiledPipeline {
  let pipeline = compiled.get(name);
  if (!pipeline) {
    const source = `pipelines/${name}.yaml`;
    pipeline = compilePipelineYaml(readFileSync(new URL(`../../${source}`, import.meta.url), 'utf8'), source);
    compiled.set(name, pipeline);
  }
  return pipeline;
}

/** What ingest puts in a 422 for a document: the pipeline's problems without their kind. */
export function problemsOf(pipeline: CompiledPipeline, doc: unknown): FieldError[] {
  const result = pipeline.validate(doc);
  return result.ok ? [] : withoutKind(result.errors);
}
