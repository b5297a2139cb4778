#!/usr/bin/env node
// `docpipe-pipeline check [file or folder...]`: compiles DocumentPipeline specs and runs their
// examples without any server, with the messages the live loader gives; exits 1 if any is refused.
// `docpipe-pipeline topics [file or folder...]`: the topics those pipelines need, one
// `<topic> <partitions> <retention ms>` a line, for the local stack's start-up script.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PipelineSpecError, topicRequests, type CompiledPipeline } from './compile/pipeline.js';
import { PipelineRegistry } from './registry/registry.js';
import { compilePipelineFile } from './spec/parse.js';

const USAGE = 'usage: docpipe-pipeline check|topics [file.yaml | folder ...]   (default: pipelines/)';

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

function topics(paths: readonly string[]): number {
  for (const file of specFiles(paths)) {
    for (const { topic, partitions, retentionMs } of topicRequests(compilePipelineFile(file))) {
      process.stdout.write(`${topic} ${partitions} ${retentionMs}\n`);
    }
  }
  return 0;
}

const COMMANDS = { check, topics } as const;
const [command, ...paths] = process.argv.slice(2);
if (command !== 'check' && command !== 'topics') {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
try {
  process.exitCode = COMMANDS[command](paths.length > 0 ? paths : ['pipelines']);
} catch (error) {
  process.stderr.write(`docpipe-pipeline: ${(error as Error).message}\n`);
  process.exitCode = 2;
}
