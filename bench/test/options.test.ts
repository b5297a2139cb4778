import { describe, expect, it } from 'vitest';
import { OptionsError, readOptions } from '../src/options.js';

describe('readOptions', () => {
  it('has defaults for everything', () => {
    expect(readOptions({})).toMatchObject({ scale: 1, concurrency: 32, singleDocs: 60_000, batchSize: 1000, rate: 1000, seedDocs: 5000, chunkSize: 1000 });
  });

  it('scales the counts but not the seed replay, the rate or the batch size', () => {
    const o = readOptions({ BENCH_SCALE: '0.1' });
    expect(o).toMatchObject({ singleDocs: 6000, drainDocs: 4000, rateSeconds: 3, seedDocs: 5000, rate: 1000, batchSize: 1000 });
  });

  it('keeps at least one batch of documents however small the scale', () => {
    expect(readOptions({ BENCH_SCALE: '0.0001' }).batchDocs).toBe(1000);
  });

  it('takes the consumer chunk size from the consumer variable, for parity', () => {
    expect(readOptions({ CONSUMER_CHUNK_SIZE: '500' }).chunkSize).toBe(500);
  });

  it.each([
    ['BENCH_CONCURRENCY', '0'],
    ['BENCH_SINGLE_DOCS', '1.5'],
    ['BENCH_SCALE', 'fast'],
    ['BENCH_SEED_INVALID_SHARE', '2'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => readOptions({ [name]: value })).toThrow(OptionsError);
    expect(() => readOptions({ [name]: value })).toThrow(name);
  });

  it('runs every phase by default, and only those BENCH_ONLY names, in their own order', () => {
    expect(readOptions({}).phases).toEqual(['transform', 'ceilings', 'ingest', 'bridge', 'drains', 'seed']);
    expect(readOptions({ BENCH_ONLY: 'seed, drains' }).phases).toEqual(['drains', 'seed']);
    expect(() => readOptions({ BENCH_ONLY: 'drains,consumer' })).toThrow('unknown phase consumer');
  });
});
