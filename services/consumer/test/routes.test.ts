import type { ConsumedRecord } from '@docpipe/kafka';
import { compilePipelineYaml, PipelineRegistry } from '@docpipe/pipeline';
import { describe, expect, it } from 'vitest';
import { inboxId } from '../src/inbox.js';
import { rejectionAsText, routeChunk } from '../src/routes.js';
import { registryOf, repositoryPipeline, specText } from './pipelines.js';
import { sampleInvoice, sampleOrder } from '@docpipe/testing';

const invoices = repositoryPipeline('invoices');
const orders = repositoryPipeline('orders');
const owner = '0b5c6f3e-8d1e-4f57-9a4c-3a1f8c2b7d10';
const receivedAt = '2026-11-25T10:00:00.000Z';
const storedAt = new Date('2026-11-25T10:00:01.000Z');

const invoice = sampleInvoice();
const order = sampleOrder({ lines: [{ sku: 'TEA-01', quantity: 2, unitPrice: 3.5 }] });

let offset = 0;
const record = (value: unknown): ConsumedRecord => ({
  key: null,
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  offset: String(offset++),
});

describe('routing a chunk by its topic', () => {
  const registry = registryOf(invoices, orders);

  it("sends each pipeline's documents and rejections to that pipeline's collections and dead-letter topic", () => {
    const ofInvoices = routeChunk(registry, { topic: 'documents', partition: 0, records: [record({ id: 'i-1', owner, receivedAt, doc: invoice })] }, storedAt);
    expect(ofInvoices.deadLetterTopic).toBe('documents.dlq');
    expect(ofInvoices.writes.map((w) => [w.collection, w.docs.map((d) => d['_id'])])).toEqual([['documents', ['i-1']]]);
    expect(ofInvoices.writes[0]?.docs[0]).toMatchObject({ pipeline: 'invoices', total: 15.3, transformedBy: invoices.revision });

    const bad = record({ id: 'o-2', owner, receivedAt, doc: { ...order, lines: [] } });
    const ofOrders = routeChunk(registry, { topic: 'orders', partition: 1, records: [record({ id: 'o-1', owner, receivedAt, doc: order }), bad] }, storedAt);
    expect(ofOrders.deadLetterTopic).toBe('orders.dlq');
    expect(ofOrders.writes.map((w) => [w.collection, w.docs.map((d) => d['_id'])])).toEqual([['orders', ['o-1']]]);
    expect(ofOrders.writes[0]?.docs[0]).toMatchObject({ pipeline: 'orders', lineCount: 1, total: 7, currency: 'EUR' });
    expect(ofOrders.poison).toEqual([{ record: bad, reason: expect.stringContaining('document o-2 is invalid: lines') }]);

    const errors = [{ field: 'lines', reason: 'must have at least 1 item' }];
    const rejected = routeChunk(registry, { topic: 'orders.rejected', partition: 0, records: [record({ id: 'r-1', owner, receivedAt, errors, doc: {} })] }, storedAt);
    expect(rejected.writes).toEqual([
      { collection: 'orders_rejected', docs: [expect.objectContaining({ _id: 'r-1', pipeline: 'orders', errors })], sources: rejected.writes[0]?.sources, fallback: rejectionAsText },
    ]);
  });

  it("validates inbox records: the valid to the documents collection, the rest to the rejected one, each with its record", () => {
    const valid = record(order);
    const invalid = record({ ...order, orderId: '125' });
    const notJson = record('{"orderId"');
    const routed = routeChunk(registry, { topic: 'orders.inbox', partition: 3, records: [valid, invalid, notJson] }, storedAt);
    expect(routed.poison).toEqual([]);
    expect(routed.deadLetterTopic).toBe('orders.dlq');
    expect(routed.writes.map((w) => [w.collection, w.sources, w.docs.map((d) => d['_id'])])).toEqual([
      ['orders', [valid], [inboxId('orders.inbox', 3, valid.offset)]],
      ['orders_rejected', [invalid, notJson], [inboxId('orders.inbox', 3, invalid.offset), inboxId('orders.inbox', 3, notJson.offset)]],
    ]);
    expect(routed.writes[1]?.docs.map((d) => d['errors'])).toEqual([
      [{ field: 'orderId', reason: 'must look like ORD-123456' }],
      [{ field: '(document)', reason: expect.stringMatching(/^is not valid JSON: /) }],
    ]);
  });

  it('refuses a topic no pipeline owns, such as one of a pipeline just removed', () => {
    const chunk = { topic: 'orders', partition: 0, records: [record({ id: 'o-1', owner, receivedAt, doc: order })] };
    const shrinking = registryOf(invoices, orders);
    shrinking.replace([invoices]);
    expect(() => routeChunk(shrinking, chunk, storedAt)).toThrow('no route for topic orders');
  });

  it('transforms with the current generation, and validates by the generation the record names while it is known', () => {
    // The next generation is stricter on StockCode, and adds a field.
    const next = compilePipelineYaml(
      specText('invoices')
        .replace('StockCode: { type: string, minLength: 1, maxLength: 20,', 'StockCode: { type: string, minLength: 1, maxLength: 10,')
        .replace('cancelled: doc.InvoiceNo.startsWith("C")', 'cancelled: doc.InvoiceNo.startsWith("C")\n      generation: \'"next"\''),
      'pipelines/invoices.yaml',
    );
    const switching = new PipelineRegistry();
    switching.replace([invoices]);
    switching.replace([next]);
    const long = { ...invoice, StockCode: '85123A-LONG-CODE' };
    const byFirst = record({ id: 'a', owner, receivedAt, pipeline: 'invoices', revision: invoices.revision, doc: long });
    const byUnknown = record({ id: 'b', owner, receivedAt, pipeline: 'invoices', revision: 'f00f00f00f00', doc: long });
    const routed = routeChunk(switching, { topic: 'documents', partition: 0, records: [byFirst, byUnknown] }, storedAt);
    expect(routed.writes[0]?.docs).toEqual([
      expect.objectContaining({ _id: 'a', generation: 'next', validatedBy: invoices.revision, transformedBy: next.revision }),
    ]);
    // A generation this process never knew: the current one validates, and refuses.
    expect(routed.poison.map((p) => p.record)).toEqual([byUnknown]);
  });
});
