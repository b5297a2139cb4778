import { createGenerator, NO_DEFECTS } from '@docpipe/load/data';
import { describe, expect, it } from 'vitest';
import { invoices } from '../src/documents.js';
import { celTransformer, jsonataTransformer, transformCost } from '../src/transform-cost.js';

const next = createGenerator({ seed: 5, defects: NO_DEFECTS });
const docs = Array.from({ length: 200 }, () => next().doc);

describe('the transform languages measured side by side', () => {
  it('compute the same invoice fields, but for how they round a half cent', async () => {
    const jsonata = jsonataTransformer();
    const cel = celTransformer(invoices);
    for (const doc of docs) {
      const [a, b] = [cel(doc) as Record<string, unknown>, (await jsonata(doc)) as Record<string, unknown>];
      expect({ ...b, total: a['total'] }).toEqual(a);
      expect(Math.abs((a['total'] as number) - (b['total'] as number))).toBeLessThanOrEqual(0.01);
    }
  });

  it('reports documents per second and the cost of one', async () => {
    const outcome = await transformCost(docs, 2, celTransformer(invoices));
    expect(outcome).toMatchObject({ status: 'ok', count: 400 });
    expect(outcome.status === 'ok' && outcome.notes?.[0]).toMatch(/^[0-9.]+ µs per document$/);
  });
});
