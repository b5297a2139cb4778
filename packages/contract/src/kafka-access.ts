// What each Kafka user may do, written once: the cluster's KafkaUser resources (cdk8s and the
// operator) and the local broker's ACLs (granted where the local stack creates a pipeline's topics)
// are both made from these bindings, so the ACLs tests prove locally are the cluster's.
import type { PipelineResources } from './names.js';

export type TopicOperation = 'Read' | 'Write';

export interface TopicAccess {
  readonly topic: string;
  readonly operations: readonly TopicOperation[];
}

/** A user's rights: topics, and the consumer groups it may join. */
export interface KafkaAccess {
  readonly topics: readonly TopicAccess[];
  readonly groups: readonly string[];
}

/** One literal ACL that allows `operations` on a resource, from any host. */
export interface AclBinding {
  readonly resource: 'topic' | 'group';
  readonly name: string;
  readonly operations: readonly ('Read' | 'Write' | 'Describe')[];
}

/** The pipeline facts that decide who may touch which of its topics. */
export interface PipelineTopics {
  readonly resources: PipelineResources;
  /** The pipeline takes unvalidated records from Kafka-native producers on its inbox topic. */
  readonly inbox: boolean;
}

/**
 * Ingest writes accepted documents and rejections, and a replayed rejection back to its documents
 * topic; it reads nothing from Kafka.
 */
export function ingestAccess(pipelines: readonly PipelineTopics[]): KafkaAccess {
  return {
    topics: pipelines.flatMap(({ resources: { topics } }) => [topics.documents, topics.rejected].map((topic) => ({ topic, operations: ['Write'] as const }))),
    groups: [],
  };
}

/**
 * A program outside the cluster hands documents to the pipelines that take them from Kafka, and
 * does nothing else: it writes their inbox topics, reads no topic and joins no group.
 */
export function externalAccess(pipelines: readonly PipelineTopics[]): KafkaAccess {
  return {
    topics: pipelines.filter((p) => p.inbox).map(({ resources: { topics } }) => ({ topic: topics.inbox, operations: ['Write'] as const })),
    groups: [],
  };
}

/** The topics a pipeline's consumer reads: what it subscribes to, and what its autoscaler measures. */
export function consumerReadTopics(pipeline: PipelineTopics): string[] {
  const { documents, rejected, inbox } = pipeline.resources.topics;
  return [documents, rejected, ...(pipeline.inbox ? [inbox] : [])];
}

/**
 * A pipeline's consumer reads what it stores, writes poison to the dead letters, and an inbox record
 * that fails validation to rejected.
 */
export function consumerAccess(pipeline: PipelineTopics, group: string): KafkaAccess {
  const { rejected, deadletter } = pipeline.resources.topics;
  return {
    topics: [
      ...consumerReadTopics(pipeline).map((topic) => ({ topic, operations: ['Read'] as const })),
      { topic: deadletter, operations: ['Write'] },
      ...(pipeline.inbox ? [{ topic: rejected, operations: ['Write'] as const }] : []),
    ],
    groups: [group],
  };
}

/**
 * Every binding of a user, merged by resource. A client needs Describe on a topic to look up its
 * partitions before it reads or writes, and on its group to fetch committed offsets.
 */
export function aclBindings(access: KafkaAccess): AclBinding[] {
  const merged = new Map<string, AclBinding & { operations: ('Read' | 'Write' | 'Describe')[] }>();
  const add = (resource: AclBinding['resource'], name: string, operations: readonly ('Read' | 'Write' | 'Describe')[]) => {
    const key = `${resource}:${name}`;
    const binding = merged.get(key) ?? { resource, name, operations: [] };
    for (const op of operations) if (!binding.operations.includes(op)) binding.operations.push(op);
    merged.set(key, binding);
  };
  for (const { topic, operations } of access.topics) add('topic', topic, [...operations, 'Describe']);
  for (const group of access.groups) add('group', group, ['Read', 'Describe']);
  return [...merged.values()];
}
