import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compilePipelineFile, PipelineRegistry, type CompiledPipeline } from '@docpipe/pipeline';

/** The repository's folder of DocumentPipeline specs. */
export const PIPELINES_DIR = fileURLToPath(new URL('../../../pipelines/', import.meta.url));

export const specText = (name: string) => readFileSync(`${PIPELINES_DIR}${name}.yaml`, 'utf8');

/** A pipeline of the repository, compiled the way the consumer compiles it. */
export const repositoryPipeline = (name: string): CompiledPipeline => compilePipelineFile(`${PIPELINES_DIR}${name}.yaml`);

/** A registry serving these pipelines. */
export function registryOf(...pipelines: CompiledPipeline[]): PipelineRegistry {
  const registry = new PipelineRegistry();
  const refused = registry.replace(pipelines);
  if (refused.length > 0) throw refused[0];
  return registry;
}
