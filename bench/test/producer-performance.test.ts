import { describe, expect, it } from 'vitest';
import { parseProducerPerformance } from '../src/producer-performance.js';

// Kafka 4.3's ProducerPerformance, as printed on this project's stack.
const OUTPUT = `In steady state.
26640 records sent, 5323.7 records/sec (1.65 MB/sec), 6625.2 ms avg latency, 7662.0 ms max latency.
110000 records sent, 9019.350607 records/sec (2.80 MB/sec), 4922.68 ms avg latency, 6876.00 ms max latency, 5268 ms 50th, 6831 ms 95th, 6867 ms 99th, 6874 ms 99.9th.
100000 steady state records sent, 10240.655402 records/sec (3.17 MB/sec), 5300.04 ms avg latency, 6876.00 ms max latency, 5653 ms 50th, 6839 ms 95th, 6868 ms 99th, 6874 ms 99.9th.
`;

describe('parseProducerPerformance', () => {
  it('takes the steady-state line, which leaves the warm-up out', () => {
    expect(parseProducerPerformance(OUTPUT)).toEqual({
      records: 100_000,
      steadyState: true,
      recordsPerSecond: 10240.655402,
      megabytesPerSecond: 3.17,
      latencyMs: { p50: 5653, p95: 6839, p99: 6868, max: 6876 },
    });
  });

  it('falls back to the whole run without a warm-up', () => {
    const whole = OUTPUT.split('\n').slice(0, 3).join('\n');
    expect(parseProducerPerformance(whole)).toMatchObject({ records: 110_000, steadyState: false });
  });

  it('fails with the output tail when there is no summary', () => {
    expect(() => parseProducerPerformance('Exception in thread "main"')).toThrow(/no summary line[\s\S]*Exception/);
  });
});
