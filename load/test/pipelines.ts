import { fileURLToPath } from 'node:url';
import { compilePipelineFile, withoutKind, type CompiledPipeline, type FieldError } from '@docpipe/pipeline';

const compiled = new Map<string, CompiledPipeline>();

/** pipelines/<name>.yaml of the repository, compiled as the services compile it (once per name). */
export function repositoryPipeline(name: string): CompiledPipeline {
  let pipeline = compiled.get(name);
  if (!pipeline) {
    pipeline = compilePipelineFile(fileURLToPath(new URL(`../../pipelines/${name}.yaml`, import.meta.url)));
    compiled.set(name, pipeline);
  }
  return pipeline;
}

/** What ingest puts in a 422 for a document: the pipeline's problems without their kind. */
export function problemsOf(pipeline: CompiledPipeline, doc: unknown): FieldError[] {
  const result = pipeline.validate(doc);
  return result.ok ? [] : withoutKind(result.errors);
}
