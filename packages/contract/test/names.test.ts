import { describe, expect, it } from 'vitest';
import { INVOICES, isPipelineName, pipelineResources, pipelineTopics } from '../src/index.js';

describe('pipelineResources', () => {
  it('derives every topic and collection from the name', () => {
    expect(pipelineResources('orders')).toEqual({
      topics: { documents: 'orders', rejected: 'orders.rejected', deadletter: 'orders.dlq', inbox: 'orders.inbox' },
      collections: { documents: 'orders', rejected: 'orders_rejected' },
    });
  });

  it('takes the topic and collection overrides, and derives the rest from them', () => {
    expect(pipelineResources('orders', { topic: 'sales', collection: 'sold' })).toEqual({
      topics: { documents: 'sales', rejected: 'sales.rejected', deadletter: 'sales.dlq', inbox: 'orders.inbox' },
      collections: { documents: 'sold', rejected: 'sold_rejected' },
    });
    expect(pipelineResources('orders', { rejectedCollection: 'refused' }).collections).toEqual({ documents: 'orders', rejected: 'refused' });
  });

  it.each(['', 'a', 'Orders', '1orders', 'orders-', 'or_ders', 'or.ders', 'x'.repeat(49)])('refuses the name %j', (name) => {
    expect(isPipelineName(name)).toBe(false);
    expect(() => pipelineResources(name)).toThrow(/must match/);
  });

  it.each(['ab', 'orders', 'eu-orders-2', 'x'.repeat(48)])('takes the name %j', (name) => {
    expect(isPipelineName(name)).toBe(true);
  });
});

describe('pipelineTopics', () => {
  it('lists the topics in a stable order, the inbox only when asked', () => {
    const resources = pipelineResources('orders');
    expect(pipelineTopics(resources, false)).toEqual(['orders', 'orders.rejected', 'orders.dlq']);
    expect(pipelineTopics(resources, true)).toEqual(['orders', 'orders.rejected', 'orders.dlq', 'orders.inbox']);
  });
});

describe('INVOICES', () => {
  it('keeps the names its data and clients already use', () => {
    expect(INVOICES).toEqual({
      topics: { documents: 'documents', rejected: 'documents.rejected', deadletter: 'documents.dlq', inbox: 'invoices.inbox' },
      collections: { documents: 'documents', rejected: 'rejected' },
    });
  });
});
