import { DOCUMENT_ID_NAMESPACE } from '@docpipe/contract';
import type { ConsumedRecord } from '@docpipe/kafka';
import {
  storedForm,
  textProblem,
  utf8Text,
  withoutKind,
  type CompiledPipeline,
  type FieldError,
  type Provenance,
  type StoredDocument,
  type StoredRejection,
} from '@docpipe/pipeline';
import { v5 as uuidv5 } from 'uuid';

/**
 * The owner of every inbox record. A Kafka producer has no user and no token, and a header would
 * let any producer claim any user's documents; one fixed owner keeps inbox documents apart.
 */
export const INBOX_OWNER = uuidv5('kafka-inbox', DOCUMENT_ID_NAMESPACE);

/** The id of the document an inbox record carries: its place in the topic, so a replay gives the same id. */
export function inboxId(topic: string, partition: number, offset: string): string {
  return uuidv5(`inbox:${topic}:${partition}:${offset}`, DOCUMENT_ID_NAMESPACE);
}

export type InboxOutcome = { readonly valid: true; readonly doc: StoredDocument } | { readonly valid: false; readonly rejection: StoredRejection };

/**
 * Validates a record of `<name>.inbox`, whose value is the document itself, the way ingest
 * validates a request: its text held to the same rules before it is parsed (json-text.ts in
 * packages/pipeline), then the pipeline's current generation, with the same reasons. A valid
 * document gets the stored form of one that came over HTTP; anything else is a rejection, so an
 * invalid record is kept with its reasons and never dead-lettered for being invalid.
 */
export function fromInbox(
  pipeline: CompiledPipeline,
  source: { readonly topic: string; readonly partition: number },
  record: ConsumedRecord,
  storedAt: Date,
): InboxOutcome {
  const origin: Provenance = {
    _id: inboxId(source.topic, source.partition, record.offset),
    owner: INBOX_OWNER,
    pipeline: pipeline.name,
    validatedBy: pipeline.revision,
    // Kafka's time for the record (its producer's CreateTime, or the broker's LogAppendTime): what
    // receivedAt is for a document that came over HTTP.
    ingestedAt: new Date(Number(record.timestamp)),
    storedAt,
  };
  const rejected = (errors: readonly FieldError[], kept: Pick<StoredRejection, 'doc' | 'raw' | 'rawEncoding'>): InboxOutcome => ({
    valid: false,
    rejection: { ...origin, errors, ...kept },
  });
  const bytes = record.value ?? Buffer.alloc(0);
  const text = utf8Text(bytes);
  // Bytes that are no text are kept as they are, not as the U+FFFD a lenient decoding makes of them.
  if (typeof text !== 'string') return rejected([{ field: '(document)', reason: text.reason }], { raw: bytes.toString('base64'), rawEncoding: 'base64' });
  const problem = textProblem(text);
  if (problem) return rejected(withoutKind([problem]), { raw: text });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return rejected([{ field: '(document)', reason: `is not valid JSON: ${(error as Error).message}` }], { raw: text });
  }
  const result = pipeline.validate(doc);
  if (!result.ok) return rejected(withoutKind(result.errors), { doc });
  return { valid: true, doc: storedForm(pipeline, result.doc, origin) };
}
