import { createHistogram } from 'node:perf_hooks';

export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * Durations in milliseconds, kept in Node's HDR histogram (node:perf_hooks) at microsecond
 * resolution and 3 significant digits: constant memory however many documents a run sends.
 */
export class DurationRecorder {
  readonly #histogram = createHistogram();

  record(ms: number): void {
    // The histogram starts at 1; a clock that says 0 ms (or a little less, across hosts) is ~0 anyway.
    this.#histogram.record(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.#histogram.count;
  }

  percentiles(): Percentiles {
    const at = (p: number) => (this.#histogram.count === 0 ? 0 : this.#histogram.percentile(p) / 1000);
    return { p50: at(50), p95: at(95), p99: at(99), max: this.#histogram.count === 0 ? 0 : this.#histogram.max / 1000 };
  }
}

/** Events per second over a span in milliseconds; 0 for an empty span rather than Infinity. */
export function perSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : 0;
}
