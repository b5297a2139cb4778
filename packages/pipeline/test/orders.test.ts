import { describe, expect, it } from 'vitest';
import { MAX_DEPTH } from '../src/compile/validator.js';
import { repositoryPipeline } from './fixtures.js';
import { sampleOrder } from '@docpipe/testing';

const orders = repositoryPipeline('orders');
const order = sampleOrder();

describe('the orders pipeline', () => {
  it('derives its names from its own name', () => {
    expect(orders.resources).toEqual({
      topics: { documents: 'orders', rejected: 'orders.rejected', deadletter: 'orders.dlq', inbox: 'orders.inbox' },
      collections: { documents: 'orders', rejected: 'orders_rejected' },
    });
  });

  it('computes the order total over its lines, with defaults and typed numbers', () => {
    const result = orders.validate(order);
    expect(result.ok).toBe(true);
    expect(orders.transform(order)).toEqual({ placedAt: new Date('2026-11-30T17:45:00.000Z'), currency: 'EUR', lineCount: 2, total: 19.99 });
  });

  it('names nested fields by their path', () => {
    const result = orders.validate({ ...order, lines: [{ sku: 'TEA-01', quantity: 0, unitPrice: 3.5 }, { sku: 'X', quantity: 1, unitPrice: 1, gift: true }] });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual([
      { field: 'lines[0].quantity', kind: 'range', reason: 'must be >= 1' },
      { field: 'lines[1].gift', kind: 'unknown_field', reason: 'is not a known field' },
    ]);
  });

  it('refuses dangerous keys at any depth', () => {
    const result = orders.validate({ ...order, customer: { id: 1, email: 'a@b.org', $where: 'x' } });
    expect(!result.ok && result.errors.map((e) => [e.field, e.kind])).toEqual([['customer.$where', 'forbidden_key']]);
  });

  it(`refuses a document nested deeper than ${MAX_DEPTH} levels without exhausting the stack`, () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 10_000; i += 1) deep = { a: deep };
    const result = orders.validate({ ...order, customer: deep });
    expect(!result.ok && result.errors).toEqual([{ field: '(document)', kind: 'range', reason: `must not nest deeper than ${MAX_DEPTH} levels` }]);
  });
});
