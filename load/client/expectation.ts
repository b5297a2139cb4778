import { EXPECTED_REJECTION, type Defect } from '../data/index.ts';

/**
 * What a generated document should get back, shared by the Node client and the k6 scenarios (so
 * this module uses no Node API).
 */

/** One problem as ingest reports it in a 422: the field and a sentence. */
export interface FieldProblem {
  readonly field: string;
  readonly reason: string;
}

// ingest answers with prose; the kind that EXPECTED_REJECTION names only reaches its metrics. These
// are the sentences packages/invoice writes for the kinds the generator causes;
// load/test/expectation.test.ts checks them against validateInvoice, so a rewording fails a test
// instead of turning every rejection into an "unexpected" one.
const SENTENCE_OF_KIND: Readonly<Record<string, RegExp>> = {
  null: /^must not be null$/,
  date: /^is not a real calendar date/,
  type: /^must be [\w,]+, got /,
};

export function expectedStatus(defect: Defect | null): 202 | 422 {
  return defect === null ? 202 : 422;
}

/** Whether a rejection lists exactly the one problem the generator put into the document. */
export function isExpectedRejection(defect: Defect | null, problems: readonly FieldProblem[]): boolean {
  if (defect === null || problems.length !== 1) return false;
  const expected = EXPECTED_REJECTION[defect];
  const problem = problems[0] as FieldProblem;
  return problem.field === expected.field && (SENTENCE_OF_KIND[expected.kind]?.test(problem.reason) ?? false);
}
