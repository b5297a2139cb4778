import { v5 as uuidv5, version } from 'uuid';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_ID_NAMESPACE, documentIds, sha256Hex } from '../../src/lib/ids.js';

const OWNER = '0190a5f0-0000-7000-8000-000000000001';

describe('documentIds', () => {
  it('gives a fresh UUIDv7 to every document without an Idempotency-Key', () => {
    const ids = documentIds(OWNER, undefined);
    const all = [ids.single(), ids.single(), ids.at(0), ids.at(0)];
    expect(new Set(all).size).toBe(4);
    for (const id of all) expect(version(id)).toBe(7);
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

describe('sha256Hex', () => {
  it('hashes the body text', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
