import { KafkaUnavailableError, KafkaWriteUnknownError, type OutgoingRecord } from '@docpipe/kafka';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/lib/errors.js';
import { ndjsonLines, parseLine, publishSorted, sortDocuments } from '../../src/lib/intake.js';
import { invoice, order, repositoryPipeline } from '../helpers.js';

const invoices = repositoryPipeline('invoices');
const envelope = { owner: '0190a5f0-0000-7000-8000-000000000001', receivedAt: '2026-01-02T03:04:05.000Z' };
/** What every record says of the pipeline: its name and the revision that validated. */
const stamp = { pipeline: 'invoices', revision: invoices.revision };
const idAt = (index: number) => `id-${index}`;

describe('ndjsonLines', () => {
  it('drops blank and whitespace-only lines and CRLF line ends', () => {
    expect(ndjsonLines('{"a":1}\r\n\n   \n{"b":2}\n\t\n')).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('keeps a last line without a newline', () => {
    expect(ndjsonLines('{"a":1}\n{"b":2}')).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('finds no document in an empty body', () => {
    expect(ndjsonLines('')).toEqual([]);
  });
});

describe('parseLine', () => {
  it('parses JSON and keeps the text of a line that is not JSON', () => {
    expect(parseLine('{"a":1}')).toEqual({ doc: { a: 1 }, text: '{"a":1}' });
    expect(parseLine('{"a":')).toEqual({
      raw: '{"a":',
      errors: [{ field: '(document)', kind: 'malformed_json', reason: expect.stringMatching(/^is not valid JSON: /) }],
    });
  });

  it('keeps a line that breaks a rule of its text as text, without parsing it', () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    expect(parseLine(deep)).toEqual({ raw: deep, errors: [expect.objectContaining({ kind: 'range', reason: expect.stringMatching(/nest deeper/) })] });
    expect(parseLine('{"a":"\\ud800"}')).toMatchObject({ raw: '{"a":"\\ud800"}', errors: [{ field: 'a', kind: 'malformed_json' }] });
  });

  it('keeps __proto__ as an own key, for validation to refuse', () => {
    const item = parseLine('{"__proto__":{"polluted":true}}') as { doc: object };
    expect(Object.keys(item.doc)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('sortDocuments', () => {
  it('puts valid documents on the documents topic in the contract envelope', () => {
    const doc = invoice();
    const sorted = sortDocuments(invoices, [{ doc }], envelope, idAt);
    expect(sorted.rejected).toEqual([]);
    expect(sorted.accepted).toHaveLength(1);
    expect(sorted.accepted[0]?.key).toBe('id-0');
    expect(JSON.parse(sorted.accepted[0]?.value as string)).toEqual({ id: 'id-0', ...envelope, ...stamp, doc });
    expect(sorted.outcomes).toEqual([{ index: 0, id: 'id-0' }]);
  });

  it('puts an NDJSON line in its record as sent, in the contract envelope', () => {
    // Spaced out, and with an escape: the text as sent is kept, not a re-serialization of it.
    const line = JSON.stringify(invoice(), null, 1).replaceAll('\n', ' ').replace('HOLDER', 'HOLDE\\u0052');
    const sorted = sortDocuments(invoices, [parseLine(line)], envelope, idAt);
    const value = sorted.accepted[0]?.value as string;
    expect(value).toBe(
      `{"id":"id-0","owner":"${envelope.owner}","receivedAt":"${envelope.receivedAt}","pipeline":"invoices","revision":"${invoices.revision}","doc":${line}}`,
    );
    expect(JSON.parse(value)).toEqual({ id: 'id-0', ...envelope, ...stamp, doc: invoice() });
  });

  it('serializes a padded line compactly, so that no record grows towards message.max.bytes', () => {
    const line = JSON.stringify(invoice()).replace(',', `,${' '.repeat(100_000)}`);
    const sorted = sortDocuments(invoices, [parseLine(line)], envelope, idAt);
    expect(sorted.accepted[0]?.value).toBe(JSON.stringify({ id: 'id-0', ...envelope, ...stamp, doc: invoice() }));
  });

  it('puts invalid documents and non-JSON lines on the rejected topic with their reasons', () => {
    const bad = invoice({ Quantity: 'six', Extra: 1 });
    const sorted = sortDocuments(invoices, [{ doc: invoice() }, { doc: bad }, parseLine('nope')], envelope, idAt);
    expect(sorted.accepted).toHaveLength(1);
    expect(sorted.rejected.map((r) => r.key)).toEqual(['id-1', 'id-2']);

    const invalid = JSON.parse(sorted.rejected[0]?.value as string);
    expect(invalid).toMatchObject({ id: 'id-1', ...envelope, ...stamp, doc: bad });
    expect(invalid.errors).toEqual(
      expect.arrayContaining([
        { field: 'Quantity', reason: expect.any(String) },
        { field: 'Extra', reason: 'is not a known field' },
      ]),
    );
    // The kind is a metric label, not part of the message contract.
    expect(invalid.errors.every((e: object) => Object.keys(e).sort().join() === 'field,reason')).toBe(true);

    const malformed = JSON.parse(sorted.rejected[1]?.value as string);
    expect(malformed).toMatchObject({ id: 'id-2', raw: 'nope', errors: [{ field: '(document)', reason: expect.stringMatching(/not valid JSON/) }] });
    expect(malformed).not.toHaveProperty('doc');

    expect(sorted.outcomes).toEqual([
      { index: 0, id: 'id-0' },
      { index: 1, errors: invalid.errors, reason: expect.stringMatching(/type|unknown_field/) },
      { index: 2, errors: malformed.errors, reason: 'malformed_json' },
    ]);
  });

  it('refuses __proto__ and constructor keys as forbidden_key and still records what was sent', () => {
    const doc = JSON.parse(JSON.stringify(invoice()).replace('{', '{"__proto__":{"x":1},"constructor":{"prototype":{}},'));
    const sorted = sortDocuments(invoices, [{ doc }], envelope, idAt);
    expect(sorted.outcomes[0]).toMatchObject({ reason: 'forbidden_key' });
    const value = sorted.rejected[0]?.value as string;
    expect(value).toContain('"__proto__":{"x":1}');
    expect(value).toContain('"constructor"');
  });

  it('refuses a document that is not an object', () => {
    const sorted = sortDocuments(invoices, [{ doc: [1, 2] }, { doc: 'text' }, { doc: null }], envelope, idAt);
    expect(sorted.accepted).toEqual([]);
    expect(sorted.outcomes.map((o) => ('reason' in o ? o.reason : undefined))).toEqual(['type', 'type', 'type']);
  });

  it("validates with the pipeline it is given and stamps that pipeline's name and revision", () => {
    const orders = repositoryPipeline('orders');
    const bad = order({ lines: [{ sku: 'TEA-01', quantity: 0, unitPrice: 3.5 }] });
    const sorted = sortDocuments(orders, [{ doc: order() }, { doc: bad }, { doc: invoice() }], envelope, idAt);
    expect(JSON.parse(sorted.accepted[0]?.value as string)).toEqual({ id: 'id-0', ...envelope, pipeline: 'orders', revision: orders.revision, doc: order() });
    expect(sorted.outcomes[1]).toMatchObject({ errors: [{ field: 'lines[0].quantity', reason: expect.any(String) }], reason: 'range' });
    expect(JSON.parse(sorted.rejected[0]?.value as string)).toMatchObject({ id: 'id-1', pipeline: 'orders', revision: orders.revision, doc: bad });
    expect(sorted.outcomes[2]).toMatchObject({ index: 2, errors: expect.arrayContaining([{ field: 'orderId', reason: 'is required' }]) });
  });
});

describe('publishSorted', () => {
  const topics = { documents: 'documents', rejected: 'documents.rejected' };
  // One valid document between two invalid ones: ids in request order are id-0, id-1, id-2.
  const sorted = () => sortDocuments(invoices, [{ doc: invoice({ Quantity: 'x' }) }, { doc: invoice() }, { doc: invoice({ CustomerID: null }) }], envelope, idAt);
  /** A producer whose call for each topic ends as `outcomes` says. */
  const producer = (outcomes: Record<string, Error | undefined>) => ({
    publish: async (topic: string, records: readonly OutgoingRecord[]) => {
      const error = records.length > 0 ? outcomes[topic] : undefined;
      if (error) throw error;
    },
  });
  const caught = (promise: Promise<void>) => promise.then(() => undefined, (e: unknown) => e);

  it('keeps "not written" only when nothing can have been written', async () => {
    const none = new KafkaUnavailableError('queue full');
    expect(await caught(publishSorted(producer({ documents: none, 'documents.rejected': none }), topics, sorted(), false))).toBe(none);
    // A request with no rejection: its one call was refused.
    const valid = sortDocuments(invoices, [{ doc: invoice() }], envelope, idAt);
    expect(await caught(publishSorted(producer({ documents: none }), topics, valid, false))).toBe(none);
  });

  it('answers 504 with the ids in request order when a write may have happened', async () => {
    const unknown = await caught(publishSorted(producer({ documents: new KafkaWriteUnknownError('no ack') }), topics, sorted(), true));
    expect(unknown).toBeInstanceOf(HttpError);
    expect((unknown as HttpError).statusCode).toBe(504);
    expect((unknown as HttpError).body).toMatchObject({ error: 'Gateway Timeout', ids: ['id-0', 'id-1', 'id-2'] });
    expect((unknown as HttpError).message).toContain('same Idempotency-Key');
  });

  it('answers 504 when one topic was written and the other refused: a retry would repeat the first', async () => {
    const partial = await caught(publishSorted(producer({ 'documents.rejected': new KafkaUnavailableError('queue full') }), topics, sorted(), false));
    expect((partial as HttpError).statusCode).toBe(504);
    expect((partial as HttpError).message).toContain('look the ids up');
  });
});
