import type { ExpectedRejection } from '../data/index.ts';

/**
 * What a generated document should get back, shared by the Node client and the k6 scenarios (so
 * this module uses no Node API).
 */

/** One problem as ingest reports it in a 422: the field and a sentence. */
export interface FieldProblem {
  readonly field: string;
  readonly reason: string;
}

/** A generator's table of the rejection each of its defects causes. */
export type Rejections = Readonly<Record<string, ExpectedRejection>>;

// ingest answers with prose; the kind that a generator's table names only reaches its metrics.
// These are the sentences @docpipe/pipeline's validator writes for the kinds the generators cause;
// load/test/expectation.test.ts checks them against the compiled pipelines, so a rewording fails a
// test instead of turning every rejection into an "unexpected" one.
const SENTENCE_OF_KIND: Readonly<Record<string, RegExp>> = {
  null: /^must not be null$/,
  date: /^is not a real calendar date/,
  type: /^must be [\w,]+, got /,
  missing: /^is required$/,
  range: /^must be [<>]=? /,
  unknown_field: /^is not a known field$/,
};

export function expectedStatus(defect: string | null): 202 | 422 {
  return defect === null ? 202 : 422;
}

/** Whether a rejection lists exactly the one problem the generator put into the document. */
export function isExpectedRejection(rejections: Rejections, defect: string | null, problems: readonly FieldProblem[]): boolean {
  const expected = defect === null ? undefined : rejections[defect];
  if (expected === undefined || problems.length !== 1) return false;
  const problem = problems[0] as FieldProblem;
  return problem.field === expected.field && (SENTENCE_OF_KIND[expected.kind]?.test(problem.reason) ?? false);
}
