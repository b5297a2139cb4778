import { describe, expect, it } from 'vitest';
import { DurationRecorder, perSecond } from '../client/stats.ts';

describe('DurationRecorder', () => {
  it('gives percentiles to three significant digits', () => {
    const recorder = new DurationRecorder();
    for (let ms = 1; ms <= 1000; ms += 1) recorder.record(ms);
    const p = recorder.percentiles();
    expect(recorder.count).toBe(1000);
    expect(p.p50).toBeCloseTo(500, -0.5);
    expect(p.p95).toBeCloseTo(950, -0.5);
    expect(p.p99).toBeCloseTo(990, -0.5);
    expect(p.max).toBeCloseTo(1000, -0.5);
  });

  it('keeps sub-millisecond values and clamps zero and negative lags to ~0', () => {
    const recorder = new DurationRecorder();
    recorder.record(0.25);
    recorder.record(0);
    recorder.record(-3);
    expect(recorder.percentiles().max).toBeCloseTo(0.25, 3);
    expect(recorder.percentiles().p50).toBeLessThan(0.01);
  });

  it('answers zeros when empty', () => {
    expect(new DurationRecorder().percentiles()).toEqual({ p50: 0, p95: 0, p99: 0, max: 0 });
  });
});

describe('perSecond', () => {
  it('divides by seconds and is 0 for an empty span', () => {
    expect(perSecond(3651, 2000)).toBeCloseTo(1825.5);
    expect(perSecond(10, 0)).toBe(0);
  });
});
