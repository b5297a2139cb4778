import { Counter } from 'k6/metrics';
import { expectedStatus, isExpectedRejection, type FieldProblem } from '../../client/expectation.ts';
import { GENERATOR } from './config.ts';

// Documents, not requests: a batch adds one per document it holds.
const accepted = new Counter('accepted');
const rejectedExpected = new Counter('rejected_expected');
const rejectedUnexpected = new Counter('rejected_unexpected');
const unexpectedStatus = new Counter('unexpected_status');
/** Documents answered 504: Kafka did not confirm them, so they may or may not be stored. */
const outcomeUnknown = new Counter('outcome_unknown');

/**
 * Counts one document's outcome against what the generator meant: 202 for a valid document, 422
 * with exactly its defect's problem for an invalid one. In a batch, a document's status is 202
 * when its result has an id and 422 when it has errors.
 */
export function recordOutcome(defect: string | null, status: number, problems: () => readonly FieldProblem[]): void {
  if (status === 504) outcomeUnknown.add(1);
  else if (status !== expectedStatus(defect)) unexpectedStatus.add(1, { status: String(status) });
  else if (status === 202) accepted.add(1);
  else if (isExpectedRejection(GENERATOR.rejections, defect, problems())) rejectedExpected.add(1);
  else rejectedUnexpected.add(1);
}

/** Documents that got no per-document answer at all (a failed batch request, or a 504). */
export function recordFailure(documents: number, status: number): void {
  if (status === 504) outcomeUnknown.add(documents);
  else unexpectedStatus.add(documents, { status: String(status) });
}

/**
 * Thresholds on the outcome counters. With the exact set of documents known (fixed iterations),
 * the accepted and rejected counts must match the generator to the document; otherwise only
 * "nothing unexpected" can be required.
 */
export function outcomeThresholds(known?: { readonly length: number; readonly defects: number }): Record<string, string[]> {
  const none = { unexpected_status: ['count==0'], rejected_unexpected: ['count==0'], outcome_unknown: ['count==0'] };
  if (!known) return none;
  return { ...none, accepted: [`count==${known.length - known.defects}`], rejected_expected: [`count==${known.defects}`] };
}
