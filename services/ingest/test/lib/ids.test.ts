import { v5 as uuidv5, version } from 'uuid';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_ID_NAMESPACE } from '@docpipe/contract';
import { documentIds, newUuidV7, pipelineNamespace, replayId, sha256Hex } from '../../src/lib/ids.js';

const OWNER = '0190a5f0-0000-7000-8000-000000000001';

describe('documentIds', () => {
  it('gives a fresh UUIDv7 to every document without an Idempotency-Key', () => {
    const ids = documentIds(OWNER, undefined);
    const all = [ids.single(), ids.single(), ids.at(0), ids.at(0)];
    expect(new Set(all).size).toBe(4);
    for (const id of all) expect(version(id)).toBe(7);
  });

  it('makes ids that are unique, UUIDv7 with the current time, and sorted in the order they were made', () => {
    const before = Date.now();
    // Several pool refills (256 ids each) and, at this speed, many ids per millisecond.
    const ids = Array.from({ length: 20_000 }, () => newUuidV7());
    const after = Date.now();
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of [ids[0], ids[255], ids[256], ids[19_999]] as string[]) {
      expect(version(id)).toBe(7);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const msecs = Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
      expect(msecs).toBeGreaterThanOrEqual(before);
      expect(msecs).toBeLessThanOrEqual(after);
    }
  });

  it('derives UUIDv5 of owner:key (single) and owner:key:index (batch)', () => {
    const ids = documentIds(OWNER, 'order-42');
    expect(ids.single()).toBe(uuidv5(`${OWNER}:order-42`, DOCUMENT_ID_NAMESPACE));
    expect(ids.at(3)).toBe(uuidv5(`${OWNER}:order-42:3`, DOCUMENT_ID_NAMESPACE));
    expect(version(ids.single())).toBe(5);
    expect(documentIds(OWNER, 'order-42').single()).toBe(ids.single());
    expect(documentIds('0190a5f0-0000-7000-8000-000000000002', 'order-42').single()).not.toBe(ids.single());
  });

  it('keeps the namespace: changing it would store retries after a deploy twice', () => {
    expect(DOCUMENT_ID_NAMESPACE).toBe(uuidv5('https://docpipe/documents', uuidv5.URL));
    expect(documentIds(OWNER, 'k').single()).toBe('6c373c5b-3457-5cea-94e3-7093a48c2574');
  });
});

describe('pipeline namespaces', () => {
  it('keeps the historical namespace, and so the historical ids, for the default pipeline', () => {
    expect(pipelineNamespace('invoices')).toBe(DOCUMENT_ID_NAMESPACE);
    expect(documentIds(OWNER, 'k', pipelineNamespace('invoices')).single()).toBe('6c373c5b-3457-5cea-94e3-7093a48c2574');
  });

  it('gives every other pipeline its own namespace: one key on two pipelines is two ids', () => {
    expect(pipelineNamespace('orders')).toBe(uuidv5('pipeline:orders', DOCUMENT_ID_NAMESPACE));
    expect(pipelineNamespace('orders')).not.toBe(pipelineNamespace('returns'));
    const onOrders = documentIds(OWNER, 'k', pipelineNamespace('orders'));
    expect(onOrders.single()).not.toBe(documentIds(OWNER, 'k').single());
    expect(onOrders.at(0)).not.toBe(documentIds(OWNER, 'k').at(0));
  });

  it('derives a replayed rejection\'s id from the rejection alone', () => {
    const namespace = pipelineNamespace('orders');
    const rejected = '0190a5f0-0000-7000-8000-0000000000aa';
    expect(replayId(rejected, namespace)).toBe(uuidv5(`replay:${rejected}`, namespace));
    expect(replayId(rejected, namespace)).toBe(replayId(rejected, namespace));
    expect(replayId(rejected, DOCUMENT_ID_NAMESPACE)).not.toBe(replayId(rejected, namespace));
  });
});

describe('sha256Hex', () => {
  it('hashes the body text', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
