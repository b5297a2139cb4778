import {
  validateInvoice,
  type DocumentMessage,
  type FieldError,
  type RejectedMessage,
  type Rejection,
  type RejectionReason,
} from '@docpipe/invoice';
import type { OutgoingRecord } from '@docpipe/kafka';

/** One document of a request: parsed JSON, or the text of an NDJSON line that was not JSON. */
export type Incoming = { readonly doc: unknown } | { readonly raw: string; readonly syntaxError: string };

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
    return { doc: JSON.parse(line) as unknown };
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
 * Validates every document and builds the Kafka records: valid ones for `documents`, the others
 * with their reasons for `documents.rejected`, so nothing a client sent disappears silently.
 */
export function sortDocuments(items: readonly Incoming[], envelope: Envelope, idAt: (index: number) => string): Sorted {
  const sorted: Sorted = { accepted: [], rejected: [], outcomes: [] };
  items.forEach((item, index) => {
    const id = idAt(index);
    let errors: Rejection[];
    if ('raw' in item) {
      errors = [{ field: '(document)', kind: 'malformed_json', reason: `is not valid JSON: ${item.syntaxError}` }];
    } else {
      const result = validateInvoice(item.doc);
      if (result.ok) {
        const message: DocumentMessage = { id, ...envelope, doc: result.invoice };
        sorted.accepted.push({ key: id, value: JSON.stringify(message) });
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
