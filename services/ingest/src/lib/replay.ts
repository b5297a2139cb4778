import type { OutgoingRecord } from '@docpipe/kafka';
import { withoutKind, type CompiledPipeline } from '@docpipe/pipeline';
import type { KafkaOutlet } from '../plugins/kafka.js';
import type { MongoStore, ReceivedWindow, Recheck } from '../plugins/mongo.js';
import { pipelineNamespace, replayId } from './ids.js';
import { acceptedRecord } from './intake.js';

export interface ReplayCounts {
  examined: number;
  replayed: number;
  alreadyStored: number;
  stillRejected: number;
}

/** Rejections read, validated and produced at a time: memory stays flat however many there are. */
export const REPLAY_CHUNK_SIZE = 500;

/**
 * Validates the pipeline's rejected documents received within `window` with `pipeline` (the
 * generation current when the replay started). Those that pass go to its documents topic under an
 * id derived from the rejection, with their original owner and receivedAt; those already stored
 * under that id are skipped, so replaying twice stores nothing new. Those that still fail stay
 * rejected, with the reasons this generation gives recorded on them. A replay cut short (Kafka or
 * MongoDB down) can simply be run again.
 */
export async function replayRejected(
  pipeline: CompiledPipeline,
  window: ReceivedWindow,
  { mongo, kafka }: { readonly mongo: MongoStore; readonly kafka: KafkaOutlet },
  chunkSize = REPLAY_CHUNK_SIZE,
): Promise<ReplayCounts> {
  const namespace = pipelineNamespace(pipeline.name);
  const checkedAt = new Date();
  const counts: ReplayCounts = { examined: 0, replayed: 0, alreadyStored: 0, stillRejected: 0 };
  for await (const chunk of mongo.rejectedDocuments(pipeline, window, chunkSize)) {
    const passing: { readonly id: string; readonly record: OutgoingRecord }[] = [];
    const rechecks: Recheck[] = [];
    for (const rejection of chunk) {
      const result = pipeline.validate(rejection.doc);
      if (!result.ok) {
        rechecks.push({ id: rejection._id, errors: withoutKind(result.errors) });
        continue;
      }
      const id = replayId(rejection._id, namespace);
      const envelope = { owner: rejection.owner, receivedAt: rejection.ingestedAt.toISOString() };
      passing.push({ id, record: acceptedRecord(pipeline, id, envelope, result.doc) });
    }
    const stored = await mongo.storedIds(pipeline, passing.map(({ id }) => id));
    const fresh = passing.filter(({ id }) => !stored.has(id)).map(({ record }) => record);
    await Promise.all([kafka.publish(pipeline.resources.topics.documents, fresh), mongo.recordRechecks(pipeline, rechecks, pipeline.revision, checkedAt)]);
    counts.examined += chunk.length;
    counts.replayed += fresh.length;
    counts.alreadyStored += stored.size;
    counts.stillRejected += rechecks.length;
  }
  return counts;
}
