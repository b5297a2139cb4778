// What the finalizer does before a pipeline may go: its spec.deletionPolicy. The garbage
// collector deletes every child that still names the pipeline as owner, so Retain first takes
// the topics out of its hands.
import { createHash } from 'node:crypto';
import { pipelineResources } from '@docpipe/contract';
import { PIPELINE_LABEL } from '#cdk8s/pipeline/children';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { FIELD_MANAGER, isConflict, type Kube, type PipelineObject } from '../kube.js';

/** Drops a pipeline's collections; undefined when the operator has no MongoDB to do it with. */
export type Collections = ((names: readonly string[]) => Promise<void>) | undefined;

export interface DeletionContext {
  readonly kube: Kube;
  readonly clock: Clock;
  readonly log: Logger;
  readonly collections: Collections;
}

const TOPIC = { apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaTopic' } as const;

/**
 * Records an Event on the pipeline. Its name comes from the pipeline and the reason, so a step the
 * finalizer runs again (its removal raced a requeue) counts up one Event instead of adding
 * another, as Kubernetes' own event recorder does.
 */
async function event(ctx: DeletionContext, pipeline: PipelineObject, type: 'Normal' | 'Warning', reason: string, message: string) {
  const { name, namespace, uid } = pipeline.metadata!;
  const now = ctx.clock.now();
  const eventName = `${name}.${createHash('sha256').update(`${uid}:${reason}`).digest('hex').slice(0, 16)}`;
  try {
    await ctx.kube.core.createNamespacedEvent({
      namespace: namespace!,
      body: {
        metadata: { name: eventName },
        involvedObject: { apiVersion: pipeline.apiVersion, kind: pipeline.kind, name, namespace, uid },
        type,
        reason,
        message,
        source: { component: FIELD_MANAGER },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  } catch (error) {
    if (!isConflict(error)) throw error;
    const recorded = await ctx.kube.core.readNamespacedEvent({ name: eventName, namespace: namespace! });
    await ctx.kube.core.replaceNamespacedEvent({
      name: eventName,
      namespace: namespace!,
      body: { ...recorded, message, lastTimestamp: now, count: (recorded.count ?? 1) + 1 },
    });
  }
}

/**
 * Runs the pipeline's deletionPolicy. Resolves with what it still waits for (topics that
 * Strimzi has not deleted yet), or undefined once done and the finalizer may go. Safe to run
 * again after any failure: each step looks at the cluster first.
 */
export async function runDeletionPolicy(ctx: DeletionContext, pipeline: PipelineObject): Promise<string | undefined> {
  const { kube } = ctx;
  const { name, namespace, uid } = pipeline.metadata!;
  // Listed fresh, not from a cache: what the finalizer lets go of must be what is there now.
  const topics = (await kube.list(TOPIC.apiVersion, TOPIC.kind, namespace!, `${PIPELINE_LABEL}=${name}`)).filter((t) =>
    t.metadata?.ownerReferences?.some((o) => o.uid === uid),
  );

  if (pipeline.spec.deletionPolicy === 'Retain') {
    for (const topic of topics) {
      const others = topic.metadata!.ownerReferences!.filter((o) => o.uid !== uid);
      await kube.mergePatch<KubernetesObject>({
        ...TOPIC,
        metadata: { name: topic.metadata!.name, namespace, resourceVersion: topic.metadata!.resourceVersion, ownerReferences: others },
      });
    }
    if (topics.length > 0) ctx.log.info({ topics: topics.map((t) => t.metadata?.name) }, 'deletionPolicy Retain: topics kept, no longer owned');
    return undefined;
  }

  const present = topics.filter((t) => !t.metadata?.deletionTimestamp);
  for (const topic of present) await kube.delete({ ...TOPIC, metadata: { name: topic.metadata!.name, namespace } });
  // Strimzi's own finalizer keeps a KafkaTopic until the topic is gone from Kafka.
  if (topics.length > 0) return `KafkaTopics ${topics.map((t) => t.metadata?.name).join(', ')} are being deleted`;

  const { spec } = pipeline;
  const { collections } = pipelineResources(name!, { topic: spec.topic.name, collection: spec.storage.collection, rejectedCollection: spec.storage.rejectedCollection });
  const names = [collections.documents, collections.rejected];
  if (ctx.collections) {
    await ctx.collections(names);
    await event(ctx, pipeline, 'Normal', 'CollectionsDropped', `deletionPolicy Delete dropped the collections ${names.join(' and ')}`);
  } else {
    await event(
      ctx,
      pipeline,
      'Warning',
      'CollectionsKept',
      `deletionPolicy Delete removed the topics, but the operator has no MONGODB_URI: drop the collections ${names.join(' and ')} by hand (db.getCollection(name).drop())`,
    );
  }
  return undefined;
}
