import { describe, expect, it } from 'vitest';
import { costsOf, PARTS, PROCESSES, type Cost } from '../src/costs.js';
import { renderMarkdown } from '../src/markdown.js';
import { assemble, type Measurement } from '../src/results.js';
import { run } from './fixtures.js';

type Extra = Partial<Extract<Measurement, { status: 'ok' }>>;
const ok = (id: Measurement['id'], count: number, seconds: number, extra: Extra = {}): Measurement =>
  ({ id, params: {}, status: 'ok', throughput: count / seconds, count, seconds, ...extra }) as Measurement;

// Single documents with and without JWT take turns in one CPU frame: the same figures on both.
const singleFrame = { cores: { [PROCESSES.ingest]: 0.3, [PROCESSES.kafka]: 0.4, 'ingest (AUTH_MODE=none)': 0.3 }, loadAverage: { before: 1, after: 2 }, otherCpu: 0 };

function measurements(consumerCores: Record<string, number> = { [PROCESSES.consumer]: 0.2, [PROCESSES.ferretdb]: 0.5, [PROCESSES.kafka]: 0.1 }): Measurement[] {
  return [
    ok('docpipe.single.auth', 6000, 1, singleFrame),
    ok('docpipe.single.noauth', 4000, 1, singleFrame),
    ok('docpipe.batch', 100_000, 2, { cores: { [PROCESSES.ingest]: 1, [PROCESSES.kafka]: 0.1 }, loadAverage: { before: 2, after: 2 }, otherCpu: 0 }),
    ok('docpipe.consumer', 40_000, 4, { cores: consumerCores, loadAverage: { before: 2, after: 3 }, otherCpu: 0, params: { meanRecordBytes: 381 } }),
  ];
}

const value = (cost: Cost) => {
  if ('missing' in cost) throw new Error(`missing: ${cost.missing}`);
  return cost.coreMsPerDoc;
};

describe('costsOf', () => {
  it("divides a process's CPU by the documents it handled: cores × seconds / documents", () => {
    const { parts } = costsOf(measurements());
    expect(value(parts['ingest.batch'])).toBeCloseTo((1 * 2 * 1000) / 100_000);
    expect(value(parts.consumer)).toBeCloseTo((0.2 * 4 * 1000) / 40_000);
    expect(value(parts.store)).toBeCloseTo((0.5 * 4 * 1000) / 40_000);
    expect(value(parts['broker.fetch'])).toBeCloseTo((0.1 * 4 * 1000) / 40_000);
    expect(parts.store).toMatchObject({ from: 'docpipe.consumer', process: PROCESSES.ferretdb, cores: 0.5, seconds: 4, documents: 40_000 });
  });

  it('counts the seconds of every measurement of a shared frame, and the documents of those a process served', () => {
    const { parts } = costsOf(measurements());
    // The JWT ingest ran through both servers' rounds and served the JWT documents alone.
    expect(value(parts['ingest.single'])).toBeCloseTo((0.3 * 2 * 1000) / 6000);
    // The broker took both servers' documents.
    expect(value(parts['broker.single'])).toBeCloseTo((0.4 * 2 * 1000) / 10_000);
  });

  it('doubles a cost with the cores', () => {
    const once = value(costsOf(measurements()).parts.consumer);
    const twice = value(costsOf(measurements({ [PROCESSES.consumer]: 0.4, [PROCESSES.ferretdb]: 0.5, [PROCESSES.kafka]: 0.1 })).parts.consumer);
    expect(twice).toBeCloseTo(2 * once);
  });

  it('gives a reason, not a number, for a measurement that is absent, failed or without the process', () => {
    const failed: Measurement = { id: 'docpipe.single.auth', params: {}, status: 'failed', reason: 'ingest did not start' };
    const list = [...measurements().filter((m) => m.id !== 'docpipe.batch' && m.id !== 'docpipe.single.auth'), failed];
    const { parts } = costsOf(list);
    expect(parts['ingest.batch']).toEqual({ missing: 'docpipe.batch was not measured', from: 'docpipe.batch', process: PROCESSES.ingest });
    expect(parts['ingest.single']).toMatchObject({ missing: 'docpipe.single.auth failed: ingest did not start' });
    expect('coreMsPerDoc' in parts['ingest.single']).toBe(false);
    const noConsumer = costsOf(measurements({ [PROCESSES.ferretdb]: 0.5 })).parts;
    expect(noConsumer.consumer).toMatchObject({ missing: `docpipe.consumer records no cores for ${PROCESSES.consumer} (not running, or under 0.01)` });
    const noCores = costsOf([ok('docpipe.consumer', 100, 1)]).parts;
    expect(noCores.store).toMatchObject({ missing: 'docpipe.consumer has no CPU figures (cores)' });
  });

  it("takes the document size from the drain's records, or says that none is known", () => {
    expect(costsOf(measurements()).documentBytes).toEqual({ bytes: 381, from: 'docpipe.consumer' });
    expect(costsOf([]).documentBytes).toMatchObject({ missing: expect.stringContaining('meanRecordBytes') });
  });

  it('is written with every run', () => {
    const results = assemble(run(measurements()));
    expect(results.costs).toEqual(costsOf(measurements()));
    expect(Object.keys(results.costs?.parts ?? {})).toEqual(Object.keys(PARTS));
    const md = renderMarkdown(results);
    expect(md).toContain('## Cost per document');
    expect(md).toContain('| consumer | 0.02 | docpipe.consumer, consumer | 0.20 cores × 4.0 s / 40,000 documents |');
    const partial = renderMarkdown(assemble(run(measurements().filter((m) => m.id !== 'docpipe.batch'))));
    expect(partial).toContain('| ingest, batch endpoint (JWT) | – | docpipe.batch, ingest (AUTH_MODE=jwt) | not measured: docpipe.batch was not measured |');
  });
});
