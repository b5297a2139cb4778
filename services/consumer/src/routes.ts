import type { ConsumedRecord, RecordChunk } from '@docpipe/kafka';
import { toStoredDocument, toStoredRejection, type PipelineRegistry, type StoredRejection } from '@docpipe/pipeline';
import type { Document } from 'mongodb';
import { shortReason } from './classify.js';
import type { PoisonRecord } from './deadletters.js';
import { fromInbox } from './inbox.js';

/** The documents of a chunk bound for one collection, each beside the record it came from. */
export interface Write {
  readonly collection: string;
  readonly docs: Document[];
  readonly sources: ConsumedRecord[];
  /** A second form for a document the store refused, if the collection has one. */
  readonly fallback?: (doc: Document) => Document | undefined;
}

/** A decoded chunk: what to write where, and what can never be stored. */
export interface Routed {
  /** Non-empty writes only, documents before rejections. */
  readonly writes: readonly Write[];
  readonly poison: PoisonRecord[];
  readonly deadLetterTopic: string;
}

/**
 * A rejection keeps the client's JSON in `doc`. A store that refuses some of its keys or values
 * (FerretDB v1: keys starting with '$' or holding '.', which are exactly what ingest rejects as
 * forbidden_key) is given the same JSON as text in `raw`, so the rejection is still stored instead
 * of dead-lettered. MongoDB 5+ accepts such keys and never gets here.
 */
export function rejectionAsText(doc: Document): Document | undefined {
  const rejection = doc as StoredRejection;
  if (!('doc' in rejection)) return undefined;
  const { doc: client, ...rest } = rejection;
  return { ...rest, raw: JSON.stringify(client) };
}

type Target = 'documents' | 'rejected';

/**
 * Decodes a chunk for the pipeline that owns its topic, in the generation current when the chunk
 * starts: the whole chunk is transformed by one generation, and a switch lands between chunks.
 * Documents that name the generation that validated them are validated by it again while this
 * process still knows it, so a stricter schema does not turn records already accepted into poison.
 */
export function routeChunk(registry: Pick<PipelineRegistry, 'byTopic' | 'generation'>, chunk: RecordChunk, storedAt: Date): Routed {
  const owner = registry.byTopic(chunk.topic);
  if (!owner) throw new Error(`no route for topic ${chunk.topic}`);
  const { pipeline, role } = owner;
  const generationOf = (revision: string) => registry.generation(pipeline.name, revision);
  const decode = (record: ConsumedRecord): [Target, Document] => {
    switch (role) {
      case 'documents':
        return ['documents', toStoredDocument(pipeline, record.value, storedAt, generationOf)];
      case 'rejected':
        return ['rejected', toStoredRejection(pipeline, record.value, storedAt)];
      case 'inbox': {
        const outcome = fromInbox(pipeline, chunk, record, storedAt);
        return outcome.valid ? ['documents', outcome.doc] : ['rejected', outcome.rejection];
      }
    }
  };

  const { collections, topics } = pipeline.resources;
  const writes: Record<Target, Write> = {
    documents: { collection: collections.documents, docs: [], sources: [] },
    rejected: { collection: collections.rejected, docs: [], sources: [], fallback: rejectionAsText },
  };
  const poison: PoisonRecord[] = [];
  for (const record of chunk.records) {
    try {
      const [target, doc] = decode(record);
      writes[target].docs.push(doc);
      writes[target].sources.push(record);
    } catch (error) {
      // Decoding is pure: whatever it throws (PoisonMessageError or not) it would throw again.
      poison.push({ record, reason: shortReason((error as Error).message) });
    }
  }
  return { writes: [writes.documents, writes.rejected].filter((w) => w.docs.length > 0), poison, deadLetterTopic: topics.deadletter };
}
