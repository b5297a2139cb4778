import { validateInvoice } from '@docpipe/invoice';
import { describe, expect, it } from 'vitest';
import { DATASET_DEFECTS, EXPECTED_REJECTION, generateDocuments, NO_DEFECTS } from '../data/index.js';

describe('generateDocuments', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    expect(generateDocuments(50, { seed: 7 })).toEqual(generateDocuments(50, { seed: 7 }));
    expect(generateDocuments(50, { seed: 7 })).not.toEqual(generateDocuments(50, { seed: 8 }));
  });

  it('marks exactly the documents that ingest rejects, with the reason ingest gives', () => {
    for (const { doc, defect } of generateDocuments(5000, { seed: 3 })) {
      const result = validateInvoice(doc);
      expect(result.ok).toBe(defect === null);
      if (!result.ok && defect) {
        const expected = EXPECTED_REJECTION[defect];
        expect(result.errors).toEqual([expect.objectContaining({ field: expected.field, kind: expected.kind })]);
      }
    }
  });

  it('follows the data set mix: about a quarter without CustomerID', () => {
    const docs = generateDocuments(20_000, { seed: 11, defects: DATASET_DEFECTS });
    const share = (d: string) => docs.filter((g) => g.defect === d).length / docs.length;
    expect(share('null_customer')).toBeGreaterThan(0.23);
    expect(share('null_customer')).toBeLessThan(0.27);
    expect(share('bad_date')).toBeGreaterThan(0.005);
    expect(share('wrong_type')).toBeGreaterThan(0.005);
  });

  it('can generate only valid documents', () => {
    expect(generateDocuments(2000, { defects: NO_DEFECTS }).every((g) => g.defect === null)).toBe(true);
  });

  it('groups lines into invoices and marks cancellations', () => {
    const docs = generateDocuments(3000, { defects: NO_DEFECTS }).map((g) => g.doc);
    const invoices = new Set(docs.map((d) => d['InvoiceNo']));
    expect(invoices.size).toBeLessThan(docs.length / 2);
    const cancelled = docs.filter((d) => String(d['InvoiceNo']).startsWith('C'));
    expect(cancelled.length).toBeGreaterThan(0);
    expect(cancelled.every((d) => (d['Quantity'] as number) < 0)).toBe(true);
  });

  it('refuses shares that add up to more than one', () => {
    expect(() => generateDocuments(1, { defects: { null_customer: 0.9, bad_date: 0.2, wrong_type: 0 } })).toThrow(/more than 1/);
  });
});
