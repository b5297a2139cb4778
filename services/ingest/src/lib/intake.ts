import { KafkaUnavailableError, type OutgoingRecord } from '@docpipe/kafka';
import { textProblem, withoutKind, type CompiledPipeline, type FieldError, type RejectedMessage, type Rejection, type RejectionReason } from '@docpipe/pipeline';
import { writeOutcomeUnknown } from './errors.js';

/**
 * One document of a request: parsed JSON, or text refused before parsing (not JSON, or breaking a
 * rule of json-text.ts in packages/pipeline) with why. `text` is the JSON text of an NDJSON line
 * that parsed: an accepted document is then put in its record as sent, without serializing again
 * what was just parsed.
 */
export type Incoming = { readonly doc: unknown; readonly text?: string } | { readonly raw: string; readonly errors: readonly Rejection[] };

export type Outcome =
  | { readonly index: number; readonly id: string }
  | { readonly index: number; readonly errors: FieldError[]; readonly reason: RejectionReason };

export interface Sorted {
  /** Records for the pipeline's documents topic. */
  readonly accepted: OutgoingRecord[];
  /** Records for the pipeline's rejected topic. */
  readonly rejected: OutgoingRecord[];
  /** One per incoming document, in order. */
  readonly outcomes: Outcome[];
}

export interface Envelope {
  readonly owner: string;
  readonly receivedAt: string;
}

/** Parses one NDJSON line. Like the JSON body parser it keeps __proto__ keys for validation to refuse. */
export function parseLine(line: string): Incoming {
  const problem = textProblem(line);
  if (problem) return { raw: line, errors: [problem] };
  try {
    return { doc: JSON.parse(line) as unknown, text: line };
  } catch (error) {
    return { raw: line, errors: [{ field: '(document)', kind: 'malformed_json', reason: `is not valid JSON: ${(error as Error).message}` }] };
  }
}

/** The non-blank lines of an NDJSON body (a trailing \r of CRLF line ends is dropped). */
export function ndjsonLines(body: string): string[] {
  return body.split('\n').flatMap((line) => {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    return text.trim() === '' ? [] : [text];
  });
}

/**
 * Longest document text put in a record as sent. An invoice is under 2 KiB even with every
 * character escaped; longer text is most often padding (whitespace), which is serialized away so
 * that a record stays far below Kafka's message.max.bytes however the line was written.
 */
const VERBATIM_MAX_LENGTH = 8192;

/** The envelope fields every record of a request shares, as JSON members (docs/architecture.md). */
function sharedFields(pipeline: CompiledPipeline, envelope: Envelope): string {
  return (
    `"owner":${JSON.stringify(envelope.owner)},"receivedAt":${JSON.stringify(envelope.receivedAt)},` +
    `"pipeline":${JSON.stringify(pipeline.name)},"revision":${JSON.stringify(pipeline.revision)}`
  );
}

/**
 * The value of a documents record, a DocumentMessage. The document goes in as the client sent it
 * when that text is at hand (JSON.stringify of the parsed document was 6 % of the batch endpoint's
 * CPU): it parsed and validated, and it parses again to the same value.
 */
function documentValue(id: string, shared: string, doc: unknown, text: string | undefined): string {
  const json = text !== undefined && text.length <= VERBATIM_MAX_LENGTH ? text : JSON.stringify(doc);
  return `{"id":${JSON.stringify(id)},${shared},"doc":${json}}`;
}

/** The documents record of one document that `pipeline` validated. */
export function acceptedRecord(pipeline: CompiledPipeline, id: string, envelope: Envelope, doc: Record<string, unknown>): OutgoingRecord {
  return { key: id, value: documentValue(id, sharedFields(pipeline, envelope), doc, undefined) };
}

/**
 * Validates every document with `pipeline` (one generation, for the whole request) and builds the
 * Kafka records: valid ones for its documents topic, the others with their reasons for its
 * rejected topic, so nothing a client sent disappears silently.
 */
export function sortDocuments(pipeline: CompiledPipeline, items: readonly Incoming[], envelope: Envelope, idAt: (index: number) => string): Sorted {
  const sorted: Sorted = { accepted: [], rejected: [], outcomes: [] };
  const shared = sharedFields(pipeline, envelope);
  const stamp = { ...envelope, pipeline: pipeline.name, revision: pipeline.revision };
  items.forEach((item, index) => {
    const id = idAt(index);
    let errors: readonly Rejection[];
    if ('raw' in item) {
      errors = item.errors;
    } else {
      const result = pipeline.validate(item.doc);
      if (result.ok) {
        sorted.accepted.push({ key: id, value: documentValue(id, shared, result.doc, item.text) });
        sorted.outcomes.push({ index, id });
        return;
      }
      errors = result.errors;
    }
    // The API and the rejected topic show {field, reason}; the kind is only a metric label.
    const fieldErrors = withoutKind(errors);
    const message: RejectedMessage = { id, ...stamp, errors: fieldErrors, ...('raw' in item ? { raw: item.raw } : { doc: item.doc }) };
    sorted.rejected.push({ key: id, value: JSON.stringify(message) });
    sorted.outcomes.push({ index, errors: fieldErrors, reason: (errors[0] as Rejection).kind });
  });
  return sorted;
}

/** What publishSorted needs of the producer. */
export interface Publisher {
  publish(topic: string, records: readonly OutgoingRecord[]): Promise<void>;
}

/**
 * Publishes one request's records: its documents and its rejections, each topic in one call. A
 * failure where nothing can have been written (every failed call was refused before sending)
 * keeps its KafkaUnavailableError, a 503 that is safe to retry. Any other failure, or one topic
 * written and the other not, leaves the request's outcome unknown: a 504 with its ids in request
 * order.
 */
export async function publishSorted(kafka: Publisher, topics: { readonly documents: string; readonly rejected: string }, sorted: Sorted, keyed: boolean): Promise<void> {
  const results = await Promise.allSettled([kafka.publish(topics.documents, sorted.accepted), kafka.publish(topics.rejected, sorted.rejected)]);
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length === 0) return;
  const sent = [sorted.accepted, sorted.rejected].filter((records) => records.length > 0).length;
  if (failures.length === sent && failures.every((f) => f instanceof KafkaUnavailableError)) throw failures[0];
  let rejected = 0;
  const ids = sorted.outcomes.map((outcome) => ('id' in outcome ? outcome.id : (sorted.rejected[rejected++]?.key as string)));
  throw writeOutcomeUnknown(ids, keyed);
}
