import { EventEmitter } from 'node:events';
import { pipelineTopics } from '@docpipe/contract';
import { PipelineSpecError, type CompiledPipeline } from '../compile/pipeline.js';

/** What a topic carries for the pipeline that owns it. */
export type TopicRole = 'documents' | 'rejected' | 'inbox';

export interface RegistryChange {
  readonly added: readonly CompiledPipeline[];
  /** New generations of pipelines that were already served. */
  readonly changed: readonly CompiledPipeline[];
  readonly removed: readonly CompiledPipeline[];
}

/** Generations kept after they were replaced: enough for the records still in flight at a switch. */
const RECENT_GENERATIONS = 32;

/** Everything that must be unique across pipelines, so that two never share a topic or a collection. */
function claims(pipeline: CompiledPipeline): string[] {
  const { collections } = pipeline.resources;
  return [
    ...new Set([
      `pipeline ${pipeline.name}`,
      ...pipelineTopics(pipeline.resources, true).map((topic) => `topic ${topic}`),
      `collection ${collections.documents}`,
      `collection ${collections.rejected}`,
    ]),
  ];
}

/**
 * The pipelines a process serves, one generation each. A generation is immutable: a request or a
 * batch takes the generation current when it starts and keeps it to the end, so a switch happens
 * between requests and between batches, never inside one.
 */
export class PipelineRegistry {
  #pipelines = new Map<string, CompiledPipeline>();
  #topics = new Map<string, { readonly pipeline: string; readonly role: TopicRole }>();
  /** Recent generations by revision, for records validated by a generation that is no longer current. */
  readonly #recent = new Map<string, CompiledPipeline>();
  readonly #events = new EventEmitter<{ change: [RegistryChange] }>();

  get(name: string): CompiledPipeline | undefined {
    return this.#pipelines.get(name);
  }

  /** A generation of `name` by its revision: the current one or one of the last few. */
  generation(name: string, revision: string): CompiledPipeline | undefined {
    const current = this.#pipelines.get(name);
    if (current?.revision === revision) return current;
    return this.#recent.get(`${name}@${revision}`);
  }

  list(): CompiledPipeline[] {
    return [...this.#pipelines.values()];
  }

  /** The pipeline (its current generation) whose topic this is, and what the topic carries. */
  byTopic(topic: string): { readonly pipeline: CompiledPipeline; readonly role: TopicRole } | undefined {
    const owner = this.#topics.get(topic);
    const pipeline = owner && this.#pipelines.get(owner.pipeline);
    return pipeline && owner ? { pipeline, role: owner.role } : undefined;
  }

  onChange(listener: (change: RegistryChange) => void): () => void {
    this.#events.on('change', listener);
    return () => this.#events.off('change', listener);
  }

  /**
   * Makes `candidates` the served set. A candidate that claims a name, topic or collection that
   * another pipeline already holds is refused (the pipeline served first keeps it); the refusals
   * are returned, and the rest switches at once.
   */
  replace(candidates: readonly CompiledPipeline[]): PipelineSpecError[] {
    const refused: PipelineSpecError[] = [];
    const held = new Map<string, string>();
    const next = new Map<string, CompiledPipeline>();
    // Pipelines already served claim first, so a newcomer cannot take their names away.
    const ordered = [...candidates].sort((a, b) => Number(this.#pipelines.has(b.name)) - Number(this.#pipelines.has(a.name)));
    for (const candidate of ordered) {
      const taken = claims(candidate).filter((claim) => held.has(claim));
      if (taken.length > 0) {
        refused.push(new PipelineSpecError(candidate.source, taken.map((claim) => `${claim} is already used by ${held.get(claim)}`)));
        continue;
      }
      for (const claim of claims(candidate)) held.set(claim, candidate.source);
      next.set(candidate.name, candidate);
    }

    const previous = this.#pipelines;
    const change: RegistryChange = {
      added: [...next.values()].filter((p) => !previous.has(p.name)),
      changed: [...next.values()].filter((p) => previous.has(p.name) && previous.get(p.name)?.revision !== p.revision),
      removed: [...previous.values()].filter((p) => !next.has(p.name)),
    };
    for (const replaced of [...change.changed.map((p) => previous.get(p.name)), ...change.removed]) {
      if (!replaced) continue;
      this.#recent.set(`${replaced.name}@${replaced.revision}`, replaced);
      if (this.#recent.size > RECENT_GENERATIONS) this.#recent.delete(this.#recent.keys().next().value as string);
    }
    this.#pipelines = next;
    this.#topics = new Map<string, { readonly pipeline: string; readonly role: TopicRole }>(
      [...next.values()].flatMap((p): [string, { pipeline: string; role: TopicRole }][] => [
        [p.resources.topics.documents, { pipeline: p.name, role: 'documents' as const }],
        [p.resources.topics.rejected, { pipeline: p.name, role: 'rejected' as const }],
        [p.resources.topics.inbox, { pipeline: p.name, role: 'inbox' as const }],
      ]),
    );
    if (change.added.length + change.changed.length + change.removed.length > 0) this.#events.emit('change', change);
    return refused;
  }
}
