import { describe, expect, it } from 'vitest';
import { EXPECTED_REJECTION, GENERATORS, generateDocuments, generatorOf, invoices, NO_DEFECTS, orders } from '../data/index.js';
import { repositoryPipeline } from './pipelines.ts';

describe.each(GENERATORS.map((generator) => [generator.pipeline, generator] as const))('the %s generator', (pipeline, generator) => {
  it('is deterministic for a seed and differs across seeds', () => {
    expect(generator.generate(50, { seed: 7 })).toEqual(generator.generate(50, { seed: 7 }));
    expect(generator.generate(50, { seed: 7 })).not.toEqual(generator.generate(50, { seed: 8 }));
  });

  it(`marks exactly the documents that pipelines/${pipeline}.yaml rejects, with the reason ingest gives`, () => {
    const compiled = repositoryPipeline(pipeline);
    for (const { doc, defect } of generator.generate(5000, { seed: 3 })) {
      const result = compiled.validate(doc);
      expect(result.ok, JSON.stringify(doc)).toBe(defect === null);
      if (!result.ok && defect) {
        const expected = generator.rejections[defect];
        expect(result.errors).toEqual([expect.objectContaining({ field: expected?.field, kind: expected?.kind })]);
      }
    }
  });

  it('makes every one of its defects in its own mix', () => {
    const defects = new Set(generator.generate(5000, { seed: 3 }).map((g) => g.defect));
    expect(defects).toEqual(new Set([null, ...generator.defects]));
  });

  it('can generate only valid documents', () => {
    expect(generator.generate(2000, { defects: generator.noDefects }).every((g) => g.defect === null)).toBe(true);
  });

  it('scales its mix to an invalid share', () => {
    const shares = generator.forInvalidShare(0.5);
    expect(Object.values(shares).reduce((a, b) => a + b, 0)).toBeCloseTo(0.5);
    const [first, second] = generator.defects as [string, string];
    expect((shares[first] ?? 0) / (shares[second] ?? 0)).toBeCloseTo((generator.defaultDefects[first] ?? 0) / (generator.defaultDefects[second] ?? 0));
  });

  it('refuses shares that add up to more than one', () => {
    const shares = Object.fromEntries(generator.defects.map((defect, i) => [defect, i === 0 ? 0.9 : 0.2]));
    expect(() => generator.generate(1, { defects: shares })).toThrow(/more than 1/);
  });
});

describe('generatorOf', () => {
  it('finds a generator by pipeline, invoices without one, and refuses a pipeline it has none for', () => {
    expect(generatorOf('orders')).toBe(orders);
    expect(generatorOf()).toBe(invoices);
    expect(() => generatorOf('shipments')).toThrow(/no document generator for pipeline 'shipments' \(there is one for invoices, orders\)/);
  });

  it('keeps the invoice generator under its former names', () => {
    expect(generateDocuments(20, { seed: 4 })).toEqual(invoices.generate(20, { seed: 4 }));
    expect({ NO_DEFECTS, EXPECTED_REJECTION }).toEqual({ NO_DEFECTS: invoices.noDefects, EXPECTED_REJECTION: invoices.rejections });
  });
});

describe('invoices', () => {
  it('follows the data set mix: about a quarter without CustomerID', () => {
    const docs = generateDocuments(20_000, { seed: 11, defects: invoices.defaultDefects });
    const share = (d: string) => docs.filter((g) => g.defect === d).length / docs.length;
    expect(share('null_customer')).toBeGreaterThan(0.23);
    expect(share('null_customer')).toBeLessThan(0.27);
    expect(share('bad_date')).toBeGreaterThan(0.005);
    expect(share('wrong_type')).toBeGreaterThan(0.005);
  });

  it('groups lines into invoices and marks cancellations', () => {
    const docs = generateDocuments(3000, { defects: NO_DEFECTS }).map((g) => g.doc);
    const invoiceNumbers = new Set(docs.map((d) => d['InvoiceNo']));
    expect(invoiceNumbers.size).toBeLessThan(docs.length / 2);
    const cancelled = docs.filter((d) => String(d['InvoiceNo']).startsWith('C'));
    expect(cancelled.length).toBeGreaterThan(0);
    expect(cancelled.every((d) => (d['Quantity'] as number) < 0)).toBe(true);
  });
});

describe('orders', () => {
  const docs = orders.generate(3000, { seed: 5, defects: orders.noDefects }).map((g) => g.doc);
  const compiled = repositoryPipeline('orders');

  it('gives each order its own id and one or more lines, some without a currency', () => {
    expect(new Set(docs.map((d) => d['orderId'])).size).toBe(docs.length);
    const lineCounts = new Set(docs.map((d) => (d['lines'] as unknown[]).length));
    expect(Math.min(...lineCounts)).toBe(1);
    expect(lineCounts.size).toBeGreaterThan(3);
    expect(docs.some((d) => !('currency' in d))).toBe(true);
  });

  it('transforms every valid order with the pipeline: a total over its lines', () => {
    for (const doc of docs.slice(0, 200)) {
      const fields = compiled.transform(doc);
      expect(fields['lineCount']).toBe((doc['lines'] as unknown[]).length);
      expect(fields['total']).toBeGreaterThan(0);
    }
  });
});
