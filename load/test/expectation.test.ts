import { validateInvoice } from '@docpipe/invoice';
import { describe, expect, it } from 'vitest';
import { expectedStatus, isExpectedRejection } from '../client/expectation.ts';
import { generateDocuments } from '../data/index.ts';

// What ingest puts in a 422: validateInvoice's problems without their kind.
const problemsOf = (doc: unknown) => {
  const result = validateInvoice(doc);
  return result.ok ? [] : result.errors.map(({ field, reason }) => ({ field, reason }));
};

describe('isExpectedRejection', () => {
  it("recognises ingest's own sentences for every defect the generator makes", () => {
    const invalid = generateDocuments(5000, { seed: 5 }).filter((g) => g.defect !== null);
    expect(new Set(invalid.map((g) => g.defect))).toEqual(new Set(['null_customer', 'bad_date', 'wrong_type']));
    for (const { doc, defect } of invalid) expect(isExpectedRejection(defect, problemsOf(doc)), JSON.stringify(doc)).toBe(true);
  });

  it('refuses a valid document, another field, another kind of problem, or extra problems', () => {
    expect(isExpectedRejection(null, [{ field: 'CustomerID', reason: 'must not be null' }])).toBe(false);
    expect(isExpectedRejection('null_customer', [{ field: 'Country', reason: 'must not be null' }])).toBe(false);
    expect(isExpectedRejection('null_customer', [{ field: 'CustomerID', reason: 'must be number, got string' }])).toBe(false);
    expect(isExpectedRejection('wrong_type', [{ field: 'Quantity', reason: 'is required' }])).toBe(false);
    expect(
      isExpectedRejection('null_customer', [
        { field: 'CustomerID', reason: 'must not be null' },
        { field: 'Country', reason: 'is required' },
      ]),
    ).toBe(false);
    expect(isExpectedRejection('bad_date', [])).toBe(false);
  });

  it('expects 202 for a valid document and 422 for a defect', () => {
    expect(expectedStatus(null)).toBe(202);
    expect(expectedStatus('bad_date')).toBe(422);
  });
});
