import { afterEach, describe, expect, it } from 'vitest';
import { formatSummary } from '../client/report.ts';
import { LoginError, runLoad, type Progress } from '../client/run.ts';
import { generatorOf, NO_DEFECTS } from '../data/index.ts';
import { startFakeIngest, type FakeBehaviour, type FakeIngest } from './fake-ingest.ts';

let fake: FakeIngest | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});
const start = async (behaviour: FakeBehaviour = {}) => (fake = await startFakeIngest(behaviour));

const defectsIn = (count: number, seed: number, pipeline?: string) => generatorOf(pipeline).generate(count, { seed }).filter((g) => g.defect !== null).length;

describe('runLoad against a fake ingest', () => {
  it('sends every document once, checks every answer and waits for storage', async () => {
    const { url, users, routes } = await start();
    const progress: Progress[] = [];
    const summary = await runLoad({ url, count: 400, concurrency: 8, seed: 3, onProgress: (p) => progress.push(p) });
    const invalid = defectsIn(400, 3);
    expect(summary).toMatchObject({
      sent: 400, requests: 400, accepted: 400 - invalid, acceptedInvalid: 0,
      rejected: { total: invalid, expected: invalid, unexpected: 0 },
      errors: { total: 0 }, duplicateIds: 0, ok: true,
      storage: { stored: 400 - invalid, missing: 0 },
    });
    expect(summary.rejected.byReason.every((r) => r.expected)).toBe(true);
    expect(users.has('loadtest')).toBe(true);
    expect(progress.at(-1)).toEqual({ phase: 'wait', done: 400 - invalid, total: 400 - invalid });
    expect(formatSummary(summary)).toMatch(/accepted == stored: yes; duplicate ids: 0\n\s+result\s+OK\n$/);
    expect(routes).toEqual(new Set(['POST /v1/documents', 'GET /v1/documents/:id']));
    expect(summary.target).toMatchObject({ pipeline: 'invoices', documentsPath: '/v1/documents' });
    expect(formatSummary(summary)).toMatch(new RegExp(`^docpipe-load: 400 documents to ${url} \\(one document per request, concurrency 8, seed 3\\)\n`));
    expect(formatSummary(summary)).toMatch(/checking +[\d.]+ s of GET \/v1\/documents\/:id after sending/);
  });

  it.each([
    ['singly', 1, 'POST /v1/pipelines/orders/documents'],
    ['in NDJSON batches', 50, 'POST /v1/pipelines/orders/documents/batch'],
  ])("sends another pipeline's documents %s to its routes, with the same checks", async (_, batchSize, post) => {
    const { url, routes } = await start();
    const summary = await runLoad({ url, pipeline: 'orders', count: 300, batchSize, concurrency: 4, seed: 3 });
    const invalid = defectsIn(300, 3, 'orders');
    expect(invalid).toBeGreaterThan(0);
    expect(summary).toMatchObject({
      target: { pipeline: 'orders', documentsPath: '/v1/pipelines/orders/documents' },
      sent: 300, accepted: 300 - invalid, acceptedInvalid: 0,
      rejected: { total: invalid, expected: invalid, unexpected: 0 },
      storage: { stored: 300 - invalid, missing: 0 }, ok: true,
    });
    expect(routes).toEqual(new Set([post, 'GET /v1/pipelines/orders/documents/:id']));
    expect(formatSummary(summary)).toMatch(new RegExp(`^docpipe-load: 300 documents to ${url}/v1/pipelines/orders/documents \\(`));
    expect(formatSummary(summary)).toMatch(/checking +[\d.]+ s of GET \/v1\/pipelines\/orders\/documents\/:id after sending/);
  });

  it("sends invoices to the pipeline routes when --pipeline names them, and refuses another pipeline's defects", async () => {
    const { url, routes } = await start();
    expect(await runLoad({ url, pipeline: 'invoices', count: 20 })).toMatchObject({ ok: true, rejected: { unexpected: 0 } });
    expect(routes).toEqual(new Set(['POST /v1/pipelines/invoices/documents', 'GET /v1/pipelines/invoices/documents/:id']));
    await expect(runLoad({ url, pipeline: 'orders', defects: NO_DEFECTS })).rejects.toThrow(/defects must give a share for each defect of pipeline orders/);
    await expect(runLoad({ url, pipeline: 'shipments' })).rejects.toThrow(RangeError);
  });

  it('reuses an existing user and waits out a token rate limit', async () => {
    const { url } = await start({ rateLimitedTokens: 2 });
    await runLoad({ url, count: 1, wait: false });
    const summary = await runLoad({ url, count: 5, wait: false });
    expect(summary.ok).toBe(true);
  });

  it('refuses to start with a wrong password', async () => {
    const { url } = await start();
    await runLoad({ url, count: 1, wait: false });
    await expect(runLoad({ url, count: 1, password: 'another-password' })).rejects.toThrow(LoginError);
  });

  it('sends NDJSON batches with a fresh Idempotency-Key per request', async () => {
    const { url, idempotencyKeys } = await start();
    const first = await runLoad({ url, count: 250, batchSize: 100, concurrency: 2, idempotency: true });
    expect(first).toMatchObject({ sent: 250, requests: 3, ok: true, rejected: { unexpected: 0 } });
    await runLoad({ url, count: 100, batchSize: 100, idempotency: true, wait: false });
    expect(new Set(idempotencyKeys).size).toBe(4);
  });

  it('paces documents at --rate', async () => {
    const { url } = await start();
    const summary = await runLoad({ url, count: 101, rate: 400, concurrency: 4, wait: false });
    // The 101st document is due 100/400 s after the first.
    expect(summary.elapsedMs).toBeGreaterThanOrEqual(245);
  });

  it('sends a 503 again (nothing was written), and reports duplicate ids and documents never stored', async () => {
    const { url } = await start({ unavailableEvery: 10, duplicateEvery: 25, loseEvery: 40 });
    const summary = await runLoad({ url, count: 200, defects: NO_DEFECTS, waitTimeoutMs: 500 });
    expect(summary.ok).toBe(false);
    expect(summary.errors).toEqual({ total: 0, byKind: [] });
    expect(summary.retried).toBeGreaterThanOrEqual(20);
    expect(summary.duplicateIds).toBe(8);
    expect(summary.storage?.missing).toBeGreaterThan(0);
    expect(summary.storage!.stored + summary.storage!.missing).toBe(summary.accepted - summary.duplicateIds);
    expect(formatSummary(summary)).toMatch(/accepted == stored: NO/);
  });

  it('leaves a 504 without an Idempotency-Key as an unknown outcome, and sends it again with one', async () => {
    const { url } = await start({ unknownEvery: 10 });
    const blind = await runLoad({ url, count: 50, defects: NO_DEFECTS, wait: false });
    expect(blind.unknown.total).toBe(5);
    expect(blind.unknown.ids).toHaveLength(5);
    expect(blind.retried).toBe(0);
    expect(blind.ok).toBe(false);
    expect(formatSummary(blind)).toMatch(/unknown {5}5 documents answered 504/);
    const keyed = await runLoad({ url, count: 50, defects: NO_DEFECTS, wait: false, idempotency: true });
    expect(keyed.unknown.total).toBe(0);
    expect(keyed.retried).toBeGreaterThanOrEqual(5);
    expect(keyed.accepted).toBe(50);
  }, 30_000);

  it('refuses to start when the API does not answer', async () => {
    const { url } = await start();
    await runLoad({ url, count: 1, wait: false });
    await fake!.close();
    fake = undefined;
    await expect(runLoad({ url, count: 5 })).rejects.toThrow();
  });
});
