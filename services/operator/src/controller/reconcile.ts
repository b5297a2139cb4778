// One reconcile of one DocumentPipeline: from its current spec and the objects in the cluster to
// the children it wants, applied, pruned, and a status that says how far it got. What it does
// depends only on that, never on the event that queued it, so running it again is harmless.
import { compilePipeline, parseResource, PipelineSpecError, type CompiledPipeline } from '@docpipe/pipeline';
import { PIPELINE_LABEL, type PipelineCluster } from '#cdk8s/pipeline/children';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { CHILD_KINDS, KAFKA_KINDS, type ChildKind } from '../children/kinds.js';
import { objectName, renderChildren } from '../children/render.js';
import type { Clock } from '../clock.js';
import { apiMessage, type ChildObject, type Kube, type PipelineObject } from '../kube.js';
import { runDeletionPolicy, type Collections } from './deletion.js';
import type { PartServing } from '#cdk8s/pipeline/status';
import type { Serving, ServingPart } from './serving.js';
import { nextStatus, sameStatus, type Outcome } from './status.js';

/** Set on every pipeline the operator has acted on; removed once its deletionPolicy has run. */
export const FINALIZER = 'docpipe.dev/cleanup';

export interface ReconcileContext {
  readonly kube: Kube;
  readonly cluster: PipelineCluster;
  readonly clock: Clock;
  readonly log: Logger;
  /** The children of a kind, as the informers last saw them. */
  readonly children: (kind: ChildKind) => readonly ChildObject[];
  readonly collections: Collections;
  /** What the replicas of ingest and of the pipeline's consumer serve of it now. */
  readonly serving: (pipeline: string, revision: string) => Promise<Serving>;
}

export interface ReconcileResult {
  /** Look again after this long even if nothing changes (a Kafka object not Ready yet). */
  readonly requeueAfterMs?: number;
}

/** How soon a pipeline waiting for Kafka is looked at again, besides the events of its children. */
const WAITING_REQUEUE_MS = 30_000;
/** How soon a pipeline whose replicas do not all serve its revision yet is looked at again. */
const ROLLOUT_REQUEUE_MS = 10_000;
/** How soon a deletion waiting for its topics to go is looked at again. */
const DELETING_REQUEUE_MS = 2_000;

/** Why a Strimzi object is not Ready yet, or undefined when it is. */
export function notReadyReason(object: ChildObject): string | undefined {
  const ready = object.status?.conditions?.find((c) => c.type === 'Ready');
  const operator = object.kind === 'KafkaUser' ? 'user' : 'topic';
  if (!ready) return `the Strimzi ${operator} operator has not reported on it yet`;
  if (ready.status !== 'True') return ready.message ?? `its Ready condition is ${ready.status}`;
  if ((object.status?.observedGeneration ?? 0) < (object.metadata?.generation ?? 0)) {
    return `the Strimzi ${operator} operator has not acted on its latest change yet`;
  }
  return undefined;
}

const isOwnedBy = (object: KubernetesObject, uid: string | undefined) => object.metadata?.ownerReferences?.some((o) => o.uid === uid) ?? false;

/** The finalizer as this manager's only entry of metadata.finalizers (a set): apply adds or drops it. */
function finalizerPatch(pipeline: PipelineObject, present: boolean): KubernetesObject {
  const { name, namespace } = pipeline.metadata!;
  return { apiVersion: pipeline.apiVersion, kind: pipeline.kind, metadata: { name, namespace, finalizers: present ? [FINALIZER] : [] } };
}

/** What the status says was rendered: the revision, and the names derived from the spec. */
function renderedStatus({ revision, resources, spec }: CompiledPipeline) {
  const { documents, rejected, deadletter, inbox } = resources.topics;
  return { revision, topics: { documents, rejected, deadletter, ...(spec.inbox.enabled ? { inbox } : {}) }, collections: resources.collections };
}

function compile(pipeline: PipelineObject): CompiledPipeline {
  const { name, namespace, generation } = pipeline.metadata!;
  const source = `DocumentPipeline ${namespace}/${name}`;
  const resource = parseResource({ apiVersion: pipeline.apiVersion, kind: pipeline.kind, metadata: { name, generation }, spec: pipeline.spec }, source);
  return compilePipeline(resource, source);
}

export async function reconcile(ctx: ReconcileContext, pipeline: PipelineObject): Promise<ReconcileResult> {
  const { kube } = ctx;
  const metadata = pipeline.metadata!;
  const log = ctx.log.child({ pipeline: `${metadata.namespace}/${metadata.name}`, generation: metadata.generation });

  if (metadata.deletionTimestamp) {
    if (!metadata.finalizers?.includes(FINALIZER)) return {};
    const waiting = await runDeletionPolicy(ctx, pipeline);
    if (waiting) {
      log.info({ waiting }, 'deletion waits');
      return { requeueAfterMs: DELETING_REQUEUE_MS };
    }
    await kube.apply(finalizerPatch(pipeline, false));
    log.info({ deletionPolicy: pipeline.spec.deletionPolicy }, 'deletion policy done, finalizer removed');
    return {};
  }
  // Before any child exists, so that no child can outlive a deletion unattended.
  if (!metadata.finalizers?.includes(FINALIZER)) await kube.apply(finalizerPatch(pipeline, true));

  const generation = metadata.generation ?? 0;
  const writeStatus = async (outcome: Outcome, rendered?: CompiledPipeline, serving?: Serving) => {
    const status = nextStatus(
      pipeline.status,
      outcome,
      generation,
      rendered && { ...renderedStatus(rendered), serving },
      ctx.clock.now(),
    );
    if (!sameStatus(pipeline.status, status)) await kube.applyStatus(pipeline, status);
  };

  let compiled: CompiledPipeline;
  let desired: KubernetesObject[];
  try {
    compiled = compile(pipeline);
    desired = renderChildren(pipeline, compiled, ctx.cluster);
  } catch (error) {
    // A spec the API server accepted may still fail what only compiling shows (a schema ajv
    // refuses, examples that misbehave): the children of the last good revision stay as they are.
    const problems = error instanceof PipelineSpecError ? error.problems : [(error as Error).message];
    log.warn({ problems }, 'spec refused');
    await writeStatus({ kind: 'invalid', problems });
    return {};
  }

  const applied: ChildObject[] = [];
  for (const object of desired) {
    try {
      applied.push(await kube.apply(object));
    } catch (error) {
      // The status is a report: when it cannot be written either, the retry still happens.
      await writeStatus({ kind: 'failed', object: objectName(object), message: apiMessage(error) }).catch(() => undefined);
      throw error;
    }
  }

  const wanted = new Set(desired.map(objectName));
  for (const kind of CHILD_KINDS) {
    for (const child of ctx.children(kind)) {
      const object = { ...child, apiVersion: kind.apiVersion, kind: kind.kind };
      if (child.metadata?.labels?.[PIPELINE_LABEL] !== metadata.name || !isOwnedBy(child, metadata.uid) || wanted.has(objectName(object))) continue;
      try {
        await kube.delete(object);
        log.info({ object: objectName(object) }, 'pruned a child the spec no longer wants');
      } catch (error) {
        await writeStatus({ kind: 'failed', object: objectName(object), message: `pruning failed: ${apiMessage(error)}` }).catch(() => undefined);
        throw error;
      }
    }
  }

  const waiting = applied.filter((o) => KAFKA_KINDS.has(o.kind!)).flatMap((o) => {
    const why = notReadyReason(o);
    return why ? [{ object: objectName(o), why }] : [];
  });
  const serving = await ctx.serving(metadata.name!, compiled.revision);
  const behind = (Object.entries(serving) as [ServingPart, PartServing][])
    .filter(([, s]) => s.current < s.replicas)
    .map(([part, s]) => ({ part, current: s.current, replicas: s.replicas }));
  await writeStatus({ kind: 'applied', revision: compiled.revision, waiting, behind }, compiled, serving);
  log.debug({ revision: compiled.revision, waiting: waiting.length, behind: behind.length }, 'reconciled');
  if (waiting.length > 0) return { requeueAfterMs: WAITING_REQUEUE_MS };
  // No event says that a replica switched revision: it is looked at again until all have.
  return behind.length > 0 ? { requeueAfterMs: ROLLOUT_REQUEUE_MS } : {};
}
