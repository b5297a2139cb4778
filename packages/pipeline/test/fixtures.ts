import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compilePipelineFile } from '../src/spec/parse.js';

export const PIPELINES_DIR = fileURLToPath(new URL('../../../pipelines/', import.meta.url));

export const specText = (name: string) => readFileSync(`${PIPELINES_DIR}${name}.yaml`, 'utf8');

/** A pipeline of the repository, compiled the way the services compile it. */
export const repositoryPipeline = (name: string) => compilePipelineFile(`${PIPELINES_DIR}${name}.yaml`);
