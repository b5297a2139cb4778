import {
  validateInvoice,
  type FieldError,
  type RejectedMessage,
  type Rejection,
  type RejectionReason,
} from '@docpipe/invoice';
import type { OutgoingRecord } from '@docpipe/kafka';

/**
 * One document of a request: parsed JSON, or the text of an NDJSON line that was not JSON. `text`
 * is the JSON text of an NDJSON line that parsed: an accepted document is then put in its record as
 * sent, without serializing again what was just parsed.
 */
export type Incoming = { readonly doc: unknown; readonly text?: string } | { readonly raw: string; readonly syntaxError: string };

export type Outcome =
  | { readonly index: number; readonly id: string }
  | { readonly index: number; readonly errors: FieldError[]; readonly reason: RejectionReason };

export interface Sorted {
  /** Records for the documents topic. */
  readonly accepted: OutgoingRecord[];
  /** Records for the documents.rejected topic. */
  readonly rejected: OutgoingRecord[];
  /** One per incoming document, in order. */
  readonly outcomes: Outcome[];
}

export interface Envelope {
  readonly owner: string;
  readonly receivedAt: string;
}

/** The API and the rejected topic show {field, reason}; the kind is only a metric label. */
const withoutKind = (errors: readonly Rejection[]): FieldError[] => errors.map(({ field, reason }) => ({ field, reason }));

/** Parses one NDJSON line. Like the JSON body parser it keeps __proto__ keys for validateInvoice to refuse. */
export function parseLine(line: string): Incoming {
  try {
    return { doc: JSON.parse(line) as unknown, text: line };
  } catch (error) {
    return { raw: line, syntaxError: (error as Error).message };
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
 * Longest document text put in a record as sent. A valid invoice is under 2 KiB even with every
 * character escaped; longer text is padding (whitespace), which is serialized away so that a
 * record stays far below Kafka's message.max.bytes however the line was written.
 */
const VERBATIM_MAX_LENGTH = 8192;

/**
 * The value of a `documents` record, {"id", "owner", "receivedAt", "doc"} (docs/architecture.md).
 * `shared` is the owner and receivedAt part, the same for every document of a request. The
 * document goes in as the client sent it when that text is at hand (JSON.stringify of the parsed
 * document was 6 % of the batch endpoint's CPU): it parsed and validated, and it parses again to
 * the same value.
 */
function documentValue(id: string, shared: string, invoice: unknown, text: string | undefined): string {
  const doc = text !== undefined && text.length <= VERBATIM_MAX_LENGTH ? text : JSON.stringify(invoice);
  return `{"id":${JSON.stringify(id)},${shared},"doc":${doc}}`;
}

/**
 * Validates every document and builds the Kafka records: valid ones for `documents`, the others
 * with their reasons for `documents.rejected`, so nothing a client sent disappears silently.
 */
export function sortDocuments(items: readonly Incoming[], envelope: Envelope, idAt: (index: number) => string): Sorted {
  const sorted: Sorted = { accepted: [], rejected: [], outcomes: [] };
  const shared = `"owner":${JSON.stringify(envelope.owner)},"receivedAt":${JSON.stringify(envelope.receivedAt)}`;
  items.forEach((item, index) => {
    const id = idAt(index);
    let errors: Rejection[];
    if ('raw' in item) {
      errors = [{ field: '(document)', kind: 'malformed_json', reason: `is not valid JSON: ${item.syntaxError}` }];
    } else {
      const result = validateInvoice(item.doc);
      if (result.ok) {
        sorted.accepted.push({ key: id, value: documentValue(id, shared, result.invoice, item.text) });
        sorted.outcomes.push({ index, id });
        return;
      }
      errors = result.errors;
    }
    const fieldErrors = withoutKind(errors);
    const message: RejectedMessage = { id, ...envelope, errors: fieldErrors, ...('raw' in item ? { raw: item.raw } : { doc: item.doc }) };
    sorted.rejected.push({ key: id, value: JSON.stringify(message) });
    sorted.outcomes.push({ index, errors: fieldErrors, reason: (errors[0] as Rejection).kind });
  });
  return sorted;
}
