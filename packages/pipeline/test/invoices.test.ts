// The invoices pipeline must answer exactly as the hand-written invoice validator did before
// pipelines were data: these are its assertions, run against pipelines/invoices.yaml.
import { DEFAULT_PIPELINE, INVOICES } from '@docpipe/contract';
import { describe, expect, it } from 'vitest';
import { repositoryPipeline } from './fixtures.js';
import { sampleInvoice } from '@docpipe/testing';

const invoices = repositoryPipeline('invoices');

const valid = sampleInvoice();

function errorsOf(doc: unknown) {
  const result = invoices.validate(doc);
  if (result.ok) throw new Error('expected the document to be rejected');
  return result.errors;
}

describe('the invoices pipeline validates', () => {
  it('accepts a data-set row and a cancellation', () => {
    expect(invoices.validate(valid).ok).toBe(true);
    expect(invoices.validate({ ...valid, InvoiceNo: 'C536379', Quantity: -1 }).ok).toBe(true);
  });

  it('rejects a null CustomerID with a clear reason', () => {
    expect(errorsOf({ ...valid, CustomerID: null })).toEqual([{ field: 'CustomerID', kind: 'null', reason: 'must not be null' }]);
  });

  it('reports every missing field', () => {
    const { Country: _c, Quantity: _q, ...rest } = valid;
    const fields = errorsOf(rest).map((e) => [e.field, e.kind]);
    expect(fields).toEqual(expect.arrayContaining([['Country', 'missing'], ['Quantity', 'missing']]));
  });

  it('rejects wrong types, naming what was received', () => {
    expect(errorsOf({ ...valid, Quantity: '6' })).toEqual([{ field: 'Quantity', kind: 'type', reason: 'must be integer, got string' }]);
    expect(errorsOf({ ...valid, Quantity: 1.5 })[0]?.kind).toBe('type');
    expect(errorsOf({ ...valid, UnitPrice: '2.55' })[0]?.field).toBe('UnitPrice');
  });

  it.each(['31/02/2011 10:00', '29/02/2011 10:00', '01/13/2011 10:00', '01/12/2010 24:00', '01/12/2010 10:60', '00/12/2010 10:00'])(
    'rejects the impossible date %s',
    (date) => {
      expect(errorsOf({ ...valid, InvoiceDate: date })).toEqual([
        { field: 'InvoiceDate', kind: 'date', reason: 'is not a real calendar date and time' },
      ]);
    },
  );

  it('reports an impossible date together with the other problems', () => {
    expect(errorsOf({ ...valid, CustomerID: null, InvoiceDate: '31/02/2011 08:26' }).map((e) => [e.field, e.kind])).toEqual([
      ['CustomerID', 'null'],
      ['InvoiceDate', 'date'],
    ]);
  });

  it('accepts a leap day', () => {
    expect(invoices.validate({ ...valid, InvoiceDate: '29/02/2012 23:59' }).ok).toBe(true);
  });

  it.each(['2010-12-01 08:26', '1/12/2010 08:26', '01/12/2010'])('rejects the badly formatted date %s', (date) => {
    expect(errorsOf({ ...valid, InvoiceDate: date })[0]).toEqual({
      field: 'InvoiceDate',
      kind: 'format',
      reason: 'must be formatted dd/mm/YYYY HH:MM',
    });
  });

  it.each(['53636', '5363655', 'A536365', 'c536365', '53636X'])('rejects InvoiceNo %s', (no) => {
    expect(errorsOf({ ...valid, InvoiceNo: no })[0]).toEqual({
      field: 'InvoiceNo',
      kind: 'format',
      reason: 'must be six digits, optionally prefixed with C for a cancellation',
    });
  });

  it('refuses unknown fields instead of dropping them', () => {
    expect(errorsOf({ ...valid, Discount: 5 })).toEqual([{ field: 'Discount', kind: 'unknown_field', reason: 'is not a known field' }]);
  });

  it('lists the first 100 problems of a document and counts the rest in one last entry', () => {
    const extra = Object.fromEntries(Array.from({ length: 80_000 }, (_, i) => [`k${i}`, i]));
    const started = performance.now();
    const errors = errorsOf({ ...valid, ...extra, $a: 1, $b: 2 });
    expect(errors).toHaveLength(101);
    expect(errors.slice(0, 2)).toEqual([
      { field: '$a', kind: 'forbidden_key', reason: expect.any(String) },
      { field: '$b', kind: 'forbidden_key', reason: expect.any(String) },
    ]);
    expect(errors[2]).toEqual({ field: 'k0', kind: 'unknown_field', reason: 'is not a known field' });
    expect(errors[100]).toEqual({ field: '(document)', kind: 'unknown_field', reason: 'has 79902 more problems, not listed' });
    // Loose on purpose: the list is linear in the keys (a fraction of a second), a quadratic one takes minutes.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it.each(['$where', 'a.b', '__proto__', 'constructor'])('refuses the key %s', (key) => {
    const doc = JSON.parse(`{${JSON.stringify(key)}: 1, "InvoiceNo": "536365"}`);
    const errors = errorsOf({ ...valid, ...doc });
    expect(errors.filter((e) => e.field === key)).toEqual([expect.objectContaining({ kind: 'forbidden_key' })]);
  });

  it.each([null, [], 'text', 42])('rejects %j as a document', (doc) => {
    expect(errorsOf(doc)[0]).toMatchObject({ field: '(document)', kind: 'type' });
  });

  it('rejects negative prices and empty strings as out of range', () => {
    expect(errorsOf({ ...valid, UnitPrice: -1 })[0]).toMatchObject({ field: 'UnitPrice', kind: 'range' });
    expect(errorsOf({ ...valid, Country: '' })[0]).toMatchObject({ field: 'Country', kind: 'range' });
  });
});

describe('the invoices pipeline transforms', () => {
  it('turns the date into UTC, keeps numbers numeric and adds the derived fields', () => {
    const doc = { ...valid, InvoiceNo: 'C536379', StockCode: 'D', Description: 'Discount', Quantity: -3, InvoiceDate: '01/12/2010 09:41', UnitPrice: 27.5, CustomerID: 14527 };
    expect(invoices.transform(doc)).toEqual({ InvoiceDate: new Date('2010-12-01T09:41:00.000Z'), total: -82.5, cancelled: true });
  });

  it('rounds the total to cents as Math.round does', () => {
    expect(invoices.transform({ ...valid, InvoiceNo: '536379', Quantity: 3, UnitPrice: 0.1 })).toMatchObject({ total: 0.3, cancelled: false });
    expect(invoices.transform({ ...valid, Quantity: 6, UnitPrice: 2.55 })).toMatchObject({ total: 15.3 });
    expect(invoices.transform({ ...valid, Quantity: -1, UnitPrice: 0.125 })).toMatchObject({ total: Math.round(-12.5) / 100 });
  });
});

describe('the invoices pipeline names', () => {
  it('are the contract’s, which cdk8s and the bench use for the default pipeline', () => {
    expect(invoices.resources).toEqual(INVOICES);
    expect(invoices.name).toBe(DEFAULT_PIPELINE);
  });
});
