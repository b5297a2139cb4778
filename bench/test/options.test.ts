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

  it('soaks for 10 minutes, scaled like the fixed-rate run, at a rate only when BENCH_SOAK_RATE sets one', () => {
    expect(readOptions({})).toMatchObject({ soakSeconds: 600 });
    expect(readOptions({}).soakRate).toBeUndefined();
    expect(readOptions({ BENCH_SCALE: '0.1', BENCH_SOAK_SECONDS: '120' }).soakSeconds).toBe(12);
    expect(readOptions({ BENCH_SOAK_RATE: '1500' }).soakRate).toBe(1500);
    expect(readOptions({ BENCH_ONLY: 'soak' }).phases).toEqual(['soak']);
    expect(() => readOptions({ BENCH_SOAK_RATE: '0' })).toThrow('BENCH_SOAK_RATE');
  });

  it('grows the store to 10 thousand, 100 thousand and a million documents, scaled, or to the sizes given', () => {
    expect(readOptions({}).growthSizes).toEqual([10_000, 100_000, 1_000_000]);
    expect(readOptions({ BENCH_SCALE: '0.1' }).growthSizes).toEqual([1000, 10_000, 100_000]);
    expect(readOptions({ BENCH_GROWTH_SIZES: ' 5000, 50000 ' }).growthSizes).toEqual([5000, 50_000]);
    expect(readOptions({ BENCH_ONLY: 'growth' }).phases).toEqual(['growth']);
  });

  it.each(['100000,10000', '1000,1000', '10k', '1000,,2000'])('refuses BENCH_GROWTH_SIZES=%s: whole numbers, ascending', (sizes) => {
    expect(() => readOptions({ BENCH_GROWTH_SIZES: sizes })).toThrow('BENCH_GROWTH_SIZES');
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
    expect(readOptions({}).phases).toEqual(['transform', 'ceilings', 'ingest', 'bridge', 'drains', 'kafka-client', 'seed', 'growth', 'soak']);
    expect(readOptions({ BENCH_ONLY: 'seed, drains' }).phases).toEqual(['drains', 'seed']);
    expect(() => readOptions({ BENCH_ONLY: 'drains,consumer' })).toThrow('unknown phase consumer');
  });
});
