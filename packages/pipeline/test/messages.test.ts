import { describe, expect, it } from 'vitest';
import { PoisonMessageError, toStoredDocument, toStoredRejection } from '../src/messages.js';
import { repositoryPipeline } from './fixtures.js';

const invoices = repositoryPipeline('invoices');
const doc = {
  InvoiceNo: 'C536379',
  StockCode: 'D',
  Description: 'Discount',
  Quantity: -3,
  InvoiceDate: '01/12/2010 09:41',
  UnitPrice: 27.5,
  CustomerID: 14527,
  Country: 'United Kingdom',
};
const envelope = { id: 'doc-1', owner: 'user-1', receivedAt: '2026-11-25T10:00:00.000Z', pipeline: 'invoices', revision: invoices.revision, doc };
const storedAt = new Date('2026-11-25T10:00:01.000Z');

describe('toStoredDocument', () => {
  it('turns the date into UTC, keeps numbers numeric, adds the derived fields and the provenance', () => {
    const stored = toStoredDocument(invoices, Buffer.from(JSON.stringify(envelope)), storedAt);
    expect(stored).toEqual({
      _id: 'doc-1',
      owner: 'user-1',
      InvoiceNo: 'C536379',
      StockCode: 'D',
      Description: 'Discount',
      Quantity: -3,
      InvoiceDate: new Date('2010-12-01T09:41:00.000Z'),
      UnitPrice: 27.5,
      CustomerID: 14527,
      Country: 'United Kingdom',
      total: -82.5,
      cancelled: true,
      pipeline: 'invoices',
      validatedBy: invoices.revision,
      transformedBy: invoices.revision,
      ingestedAt: new Date('2026-11-25T10:00:00.000Z'),
      storedAt,
    });
  });

  it('rounds the total to cents', () => {
    const stored = toStoredDocument(invoices, JSON.stringify({ ...envelope, doc: { ...doc, InvoiceNo: '536379', Quantity: 3, UnitPrice: 0.1 } }), storedAt);
    expect(stored['total']).toBe(0.3);
    expect(stored['cancelled']).toBe(false);
  });

  it.each([
    ['not JSON', '{oops'],
    ['no value', null],
    ['an array', '[]'],
    ['no id', JSON.stringify({ ...envelope, id: '' })],
    ['a bad receivedAt', JSON.stringify({ ...envelope, receivedAt: 'yesterday' })],
    ['an invalid document', JSON.stringify({ ...envelope, doc: { ...doc, CustomerID: null } })],
  ])('treats %s as poison', (_what, value) => {
    expect(() => toStoredDocument(invoices, value, storedAt)).toThrow(PoisonMessageError);
  });

  it('validates with the generation the record names, and transforms with the current one', () => {
    // A stricter current generation would refuse what the older one accepted just before a switch.
    const older = { ...invoices, revision: 'older', validate: (value: unknown) => ({ ok: true as const, doc: value as Record<string, unknown> }) };
    const value = JSON.stringify({ ...envelope, revision: 'older', doc: { ...doc, CustomerID: null } });
    const stored = toStoredDocument(invoices, value, storedAt, (revision) => (revision === 'older' ? older : undefined));
    expect(stored).toMatchObject({ validatedBy: 'older', transformedBy: invoices.revision, CustomerID: null, total: -82.5 });
  });
});

describe('toStoredRejection', () => {
  it('keeps the reasons, the raw line and the provenance', () => {
    const value = JSON.stringify({
      id: 'r1',
      owner: 'u',
      receivedAt: envelope.receivedAt,
      pipeline: 'invoices',
      revision: invoices.revision,
      errors: [{ field: '(document)', reason: 'not JSON' }],
      raw: '{bad',
    });
    expect(toStoredRejection(invoices, value, storedAt)).toEqual({
      _id: 'r1',
      owner: 'u',
      pipeline: 'invoices',
      validatedBy: invoices.revision,
      errors: [{ field: '(document)', reason: 'not JSON' }],
      raw: '{bad',
      ingestedAt: new Date(envelope.receivedAt),
      storedAt,
    });
  });

  it('treats a rejection without errors as poison', () => {
    expect(() => toStoredRejection(invoices, JSON.stringify({ id: 'r1', owner: 'u', receivedAt: envelope.receivedAt }), storedAt)).toThrow(
      PoisonMessageError,
    );
  });
});
