import { describe, expect, it } from 'vitest';
import { expectedStatus, isExpectedRejection } from '../client/expectation.ts';
import { GENERATORS, invoices } from '../data/index.ts';
import { problemsOf, repositoryPipeline } from './pipelines.ts';

describe('isExpectedRejection', () => {
  it.each(GENERATORS.map((generator) => [generator.pipeline, generator] as const))(
    "recognises ingest's own sentences for every defect the %s generator makes",
    (pipeline, generator) => {
      const compiled = repositoryPipeline(pipeline);
      const invalid = generator.generate(5000, { seed: 5 }).filter((g) => g.defect !== null);
      expect(new Set(invalid.map((g) => g.defect))).toEqual(new Set(generator.defects));
      for (const { doc, defect } of invalid) expect(isExpectedRejection(generator.rejections, defect, problemsOf(compiled, doc)), JSON.stringify(doc)).toBe(true);
    },
  );

  it('refuses a valid document, another field, another kind of problem, extra problems, or a defect of another table', () => {
    const { rejections } = invoices;
    expect(isExpectedRejection(rejections, null, [{ field: 'CustomerID', reason: 'must not be null' }])).toBe(false);
    expect(isExpectedRejection(rejections, 'null_customer', [{ field: 'Country', reason: 'must not be null' }])).toBe(false);
    expect(isExpectedRejection(rejections, 'null_customer', [{ field: 'CustomerID', reason: 'must be number, got string' }])).toBe(false);
    expect(isExpectedRejection(rejections, 'wrong_type', [{ field: 'Quantity', reason: 'is required' }])).toBe(false);
    expect(
      isExpectedRejection(rejections, 'null_customer', [
        { field: 'CustomerID', reason: 'must not be null' },
        { field: 'Country', reason: 'is required' },
      ]),
    ).toBe(false);
    expect(isExpectedRejection(rejections, 'bad_date', [])).toBe(false);
    expect(isExpectedRejection(rejections, 'zero_quantity', [{ field: 'lines[0].quantity', reason: 'must be >= 1' }])).toBe(false);
  });

  it('expects 202 for a valid document and 422 for a defect', () => {
    expect(expectedStatus(null)).toBe(202);
    expect(expectedStatus('bad_date')).toBe(422);
  });
});
