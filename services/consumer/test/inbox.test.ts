import type { ConsumedRecord } from '@docpipe/kafka';
import { JSON_TEXT_LIMITS, toStoredDocument, withoutKind } from '@docpipe/pipeline';
import { describe, expect, it } from 'vitest';
import { fromInbox, INBOX_OWNER, inboxId } from '../src/inbox.js';
import { repositoryPipeline } from './pipelines.js';
import { sampleOrder } from '@docpipe/testing';

const orders = repositoryPipeline('orders');
const source = { topic: 'orders.inbox', partition: 2 };
const storedAt = new Date('2026-12-01T09:00:00.000Z');
const producedAt = new Date('2026-12-01T08:59:58.500Z');

const order = sampleOrder();

function inboxRecord(value: string | Buffer | null, offset = '41'): ConsumedRecord {
  const record = { key: null, value: value === null ? null : Buffer.from(value), offset, timestamp: String(producedAt.getTime()) };
  return record;
}

describe('inbox records', () => {
  it('gives each record a fixed id from its place in the topic, and the one inbox owner', () => {
    // Both are stored: they must never change, or a replay would store a second copy.
    expect(INBOX_OWNER).toBe('af7513c4-9f34-5296-b3ce-883f06b5d90e');
    expect(inboxId('orders.inbox', 2, '41')).toBe('d19b9aa2-2037-53c4-8c71-7589b791de91');
    expect(inboxId('orders.inbox', 2, '42')).not.toBe(inboxId('orders.inbox', 2, '41'));
    expect(inboxId('orders.inbox', 1, '41')).not.toBe(inboxId('orders.inbox', 2, '41'));
  });

  it('stores a valid document exactly as one that came over HTTP', () => {
    const outcome = fromInbox(orders, source, inboxRecord(JSON.stringify(order)), storedAt);
    const id = inboxId(source.topic, source.partition, '41');
    const overHttp = toStoredDocument(
      orders,
      JSON.stringify({ id, owner: INBOX_OWNER, receivedAt: producedAt.toISOString(), pipeline: orders.name, revision: orders.revision, doc: order }),
      storedAt,
    );
    expect(outcome).toEqual({ valid: true, doc: overHttp });
    expect(overHttp).toMatchObject({ _id: id, owner: INBOX_OWNER, lineCount: 2, total: 19.99, currency: 'EUR', validatedBy: orders.revision });
  });

  it('keeps an invalid document with the reasons ingest gives', () => {
    const invalid = { ...order, orderId: '125', lines: [] };
    const outcome = fromInbox(orders, source, inboxRecord(JSON.stringify(invalid)), storedAt);
    const validation = orders.validate(invalid);
    expect(validation.ok).toBe(false);
    expect(outcome).toEqual({
      valid: false,
      rejection: {
        _id: inboxId(source.topic, source.partition, '41'),
        owner: INBOX_OWNER,
        pipeline: 'orders',
        validatedBy: orders.revision,
        ingestedAt: producedAt,
        storedAt,
        errors: validation.ok ? [] : withoutKind(validation.errors),
        doc: invalid,
      },
    });
  });

  it('keeps a value that is not JSON, or no value at all, as text with the parser\'s reason', () => {
    const broken = fromInbox(orders, source, inboxRecord('{"orderId": '), storedAt);
    expect(broken).toMatchObject({
      valid: false,
      rejection: { errors: [{ field: '(document)', reason: 'is not valid JSON: Unexpected end of JSON input' }], raw: '{"orderId": ' },
    });
    expect(broken.valid ? undefined : broken.rejection).not.toHaveProperty('doc');
    expect(fromInbox(orders, source, inboxRecord(null), storedAt)).toMatchObject({
      valid: false,
      rejection: { errors: [{ field: '(document)', reason: 'is not valid JSON: Unexpected end of JSON input' }], raw: '' },
    });
  });
});

describe('inbox records held to the rules of JSON text, as every JSON body ingest takes', () => {
  const text = JSON.stringify(order);
  const origin = { _id: inboxId(source.topic, source.partition, '41'), owner: INBOX_OWNER, pipeline: 'orders', validatedBy: orders.revision, ingestedAt: producedAt, storedAt };
  /** The rejection of a text refused before it is parsed: kept as it was sent, never as a parsed doc. */
  const refusedText = (value: string, field: string, reason: string) => ({ valid: false, rejection: { ...origin, errors: [{ field, reason }], raw: value } });

  it('keeps bytes that are not UTF-8 as they are, in base64, naming the first such byte', () => {
    const value = Buffer.from(text);
    const at = value.indexOf('TEA-01') + 4;
    value[at] = 0xff;
    const outcome = fromInbox(orders, source, inboxRecord(value), storedAt);
    expect(outcome).toEqual({
      valid: false,
      rejection: { ...origin, errors: [{ field: '(document)', reason: `is not valid UTF-8: byte ${at} does not start a valid sequence` }], raw: value.toString('base64'), rawEncoding: 'base64' },
    });
    expect(Buffer.from(outcome.valid ? '' : (outcome.rejection.raw as string), 'base64')).toEqual(value);
  });

  it('refuses nesting deeper than the limit before parsing, naming where', () => {
    const deep = 10_000;
    const value = text.replace(/"lines":\[/, `"lines":[${'['.repeat(deep)}1${']'.repeat(deep)},`);
    expect(fromInbox(orders, source, inboxRecord(value), storedAt)).toEqual(
      refusedText(value, `lines${'[0]'.repeat(JSON_TEXT_LIMITS.depth - 1)}`, `must not nest deeper than ${JSON_TEXT_LIMITS.depth} levels`),
    );
  });

  it('refuses more keys than the limit before parsing', () => {
    const keys = Array.from({ length: JSON_TEXT_LIMITS.keys }, (_, i) => `"k${i}":1`).join(',');
    const value = text.replace(/^\{/, `{"extra":{${keys}},`);
    expect(fromInbox(orders, source, inboxRecord(value), storedAt)).toEqual(refusedText(value, '(document)', `must not hold more than ${JSON_TEXT_LIMITS.keys} keys`));
  });

  it('refuses the escape of a lone surrogate, which would be stored as no character', () => {
    const value = text.replace('"TEA-01"', '"TEA-\\ud800"');
    expect(fromInbox(orders, source, inboxRecord(value), storedAt)).toEqual(
      refusedText(value, 'lines[0].sku', 'holds the escape \\ud800, a lone UTF-16 surrogate: no character, refused by I-JSON (RFC 7493)'),
    );
  });

  it('refuses a number a double cannot hold, which would be stored as another', () => {
    const value = text.replace('"id":42', '"id":9007199254740993');
    expect(fromInbox(orders, source, inboxRecord(value), storedAt)).toEqual(
      refusedText(value, 'customer.id', 'holds the number 9007199254740993, more precise than a double holds (I-JSON, RFC 7493): it would be stored as 9007199254740992'),
    );
  });
});
