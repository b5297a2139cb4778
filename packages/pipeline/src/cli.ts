#!/usr/bin/env node
// `docpipe-pipeline check [file or folder...]`: compiles DocumentPipeline specs and runs their
// examples without any server, with the messages the live loader gives; exits 1 if any is refused.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PipelineSpecError, type CompiledPipeline } from './compile/pipeline.js';
import { PipelineRegistry } from './registry/registry.js';
import { compilePipelineFile } from './spec/parse.js';

const USAGE = 'usage: docpipe-pipeline check [file.yaml | folder ...]   (default: pipelines/)';

function specFiles(paths: readonly string[]): string[] {
  return paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path).filter((name) => /\.ya?ml$/.test(name) && !name.startsWith('.')).sort().map((name) => join(path, name))
      : [path],
  );
}

function check(paths: readonly string[]): number {
  const compiled: CompiledPipeline[] = [];
  const refused: PipelineSpecError[] = [];
  for (const file of specFiles(paths)) {
    try {
      compiled.push(compilePipelineFile(file));
    } catch (error) {
      if (!(error instanceof PipelineSpecError)) throw error;
      refused.push(error);
    }
  }
  // The same collision rules as a running service: two files may not claim one name, topic or collection.
  const collisions = new PipelineRegistry().replace(compiled);
  const collided = new Set(collisions.map((e) => e.source));
  for (const pipeline of compiled.filter((p) => !collided.has(p.source))) {
    const { valid, invalid } = pipeline.spec.examples;
    process.stdout.write(`ok       ${pipeline.source}: ${pipeline.name}@${pipeline.revision} (${valid.length} valid and ${invalid.length} invalid examples behave as declared)\n`);
  }
  for (const error of [...refused, ...collisions]) process.stdout.write(`refused  ${error.message}\n`);
  return refused.length + collisions.length === 0 ? 0 : 1;
}

const [command, ...paths] = process.argv.slice(2);
if (command !== 'check') {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
try {
  process.exitCode = check(paths.length > 0 ? paths : ['pipelines']);
} catch (error) {
  process.stderr.write(`docpipe-pipeline: ${(error as Error).message}\n`);
  process.exitCode = 2;
}
