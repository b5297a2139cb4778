import { createHash } from 'node:crypto';
import { consumerReadTopics, pipelineResources, type PipelineResources, type PipelineTopics } from '@docpipe/contract';
import type { DocumentPipeline, DocumentPipelineSpec } from '../spec/schema.js';
import { exampleProblems } from './examples.js';
import { compileTransform, type Transform } from './transform.js';
import { compileValidator, type Validator } from './validator.js';

/** A spec that cannot go live, with every problem found and where it came from. */
export class PipelineSpecError extends Error {
  override readonly name = 'PipelineSpecError';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: ${problems.join('; ')}`);
  }
}

/** One generation of a pipeline, ready to validate and transform documents. */
export interface CompiledPipeline {
  readonly name: string;
  /** Content hash of the spec: the same spec gives the same revision in every process. */
  readonly revision: string;
  /** metadata.generation when the spec came from the API server. */
  readonly generation: number | undefined;
  /** Where the spec came from (a file path, or the resource), for messages. */
  readonly source: string;
  readonly spec: DocumentPipelineSpec;
  readonly resources: PipelineResources;
  readonly validate: Validator;
  /** The fields the transform computes for one valid document. */
  readonly transform: Transform;
}

function crossFieldProblems(spec: DocumentPipelineSpec): string[] {
  const problems: string[] = [];
  if (spec.scaling.minReplicas > spec.scaling.maxReplicas) problems.push('spec.scaling.minReplicas must not exceed maxReplicas');
  const { maxBatchBytes, maxDocumentBytes } = spec.ingest;
  if (maxBatchBytes !== undefined && maxDocumentBytes !== undefined && maxBatchBytes < maxDocumentBytes) {
    problems.push('spec.ingest.maxBatchBytes must not be smaller than maxDocumentBytes');
  }
  return problems;
}

/**
 * Compiles a parsed resource (defaults applied): its schema, its transform, and then its examples.
 * Throws PipelineSpecError listing every problem; nothing of a refused spec goes live.
 */
export function compilePipeline(resource: DocumentPipeline, source: string): CompiledPipeline {
  const { spec } = resource;
  const problems = crossFieldProblems(spec);
  let validate: Validator | undefined;
  let transform: Transform | undefined;
  try {
    validate = compileValidator(spec.schema);
  } catch (error) {
    problems.push(`spec.schema is not a valid JSON Schema: ${(error as Error).message}`);
  }
  try {
    transform = compileTransform(spec.transform.fields);
  } catch (error) {
    problems.push(`spec.${(error as Error).message}`);
  }
  if (validate && transform) problems.push(...exampleProblems(spec.examples, validate, transform).map((p) => `spec.${p}`));
  if (problems.length > 0 || !validate || !transform) throw new PipelineSpecError(source, problems);
  return {
    name: resource.metadata.name,
    revision: createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 12),
    generation: resource.metadata.generation,
    source,
    spec,
    resources: pipelineResources(resource.metadata.name, {
      topic: spec.topic.name,
      collection: spec.storage.collection,
      rejectedCollection: spec.storage.rejectedCollection,
    }),
    validate,
    transform,
  };
}

const DAY_MS = 24 * 3600 * 1000;

/** What decides the Kafka rights of a pipeline's users (the contract's ingestAccess, consumerAccess). */
export function pipelineTopicsOf(pipeline: CompiledPipeline): PipelineTopics {
  return { resources: pipeline.resources, inbox: pipeline.spec.inbox.enabled };
}

/** The topics a pipeline needs, as the local stack creates them (in a cluster: its KafkaTopics). */
export function topicRequests(pipeline: CompiledPipeline): { topic: string; partitions: number; retentionMs: number }[] {
  const { topics } = pipeline.resources;
  const { partitions, retentionDays } = pipeline.spec.topic;
  const retentionMs = retentionDays * DAY_MS;
  return [
    { topic: topics.documents, partitions, retentionMs },
    { topic: topics.rejected, partitions, retentionMs },
    // Dead letters wait for a person: a month at least.
    { topic: topics.deadletter, partitions: 1, retentionMs: Math.max(retentionMs, 30 * DAY_MS) },
    ...(pipeline.spec.inbox.enabled ? [{ topic: topics.inbox, partitions, retentionMs }] : []),
  ];
}

/** The topics a consumer of these pipelines reads (the contract's consumerReadTopics), once each, sorted. */
export function consumedTopics(pipelines: readonly CompiledPipeline[]): string[] {
  return [...new Set(pipelines.flatMap((p) => consumerReadTopics(pipelineTopicsOf(p))))].sort();
}
