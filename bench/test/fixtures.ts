import type { Measurement, RunResults } from '../src/results.js';
import { fitFrom, summarizeSoak, type SoakResult, type SoakSample } from '../src/soak.js';

const latency = { p50: 4, p95: 9, p99: 20, max: 40 };

/** A run with every measurement, as `make bench` writes one; figures chosen for easy ratios. */
export function measurements(): Measurement[] {
  const ok = (id: Measurement['id'], throughput: number, extra: Partial<Measurement> = {}): Measurement =>
    ({ id, params: {}, status: 'ok', throughput, count: throughput * 10, seconds: 10, latencyMs: latency, ...extra }) as Measurement;
  return [
    ok('ceiling.kafka', 100_000),
    ok('ceiling.store', 5000),
    ok('ceiling.http', 20_000),
    ok('docpipe.single.auth', 4000, { otherCpu: 0.12, loadAverage: { before: 1, after: 3.5 } }),
    ok('docpipe.single.noauth', 5000),
    ok('docpipe.single.rate', 1000, { latencyMs: { p50: 3, p95: 8, p99: 150, max: 300 } } as Partial<Measurement>),
    ok('docpipe.batch', 40_000),
    ok('docpipe.consumer', 4500, { cores: { 'ferretdb (stack)': 0.98, consumer: 0.31 } } as Partial<Measurement>),
    ok('docpipe.seed', 1250, { seconds: 4 } as Partial<Measurement>),
    { id: 'peer.bridge.single', params: {}, status: 'unavailable', reason: 'not on Maven Central' },
    { id: 'peer.bridge.batch', params: {}, status: 'unavailable', reason: 'not on Maven Central' },
    ok('peer.sink', 3000),
  ];
}

export function run(list: Measurement[] = measurements()): Omit<RunResults, 'comparisons'> {
  return {
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:10:00.000Z',
    machine: { cpuModel: 'Test CPU', cores: 2, memoryBytes: 24 * 2 ** 30, os: 'Debian GNU/Linux 13 (trixie)', kernel: '6.1.0', hostname: 'box' },
    versions: { node: 'v24.21.0', kafka: '4.3.0' },
    parameters: { concurrency: 32, scale: 1 },
    measurements: list,
  };
}

/**
 * A soak of two minutes at 1,000 documents/s: ingest's RSS rises 2 MiB a minute, the rest is flat
 * (the lag and the loop delay alternate around their level); every accepted document stored.
 */
export function soakResult(overrides: Partial<SoakResult> = {}): SoakResult {
  const samples: SoakSample[] = Array.from({ length: 120 }, (_, i) => {
    const t = i + 1;
    const wobble = i % 2 === 0 ? 1 : -1;
    return {
      t,
      ingestRssMiB: 100 + (2 * t) / 60,
      consumerRssMiB: 80,
      lagRecords: 500 + 100 * wobble,
      backlog: 600 + 100 * wobble,
      ingestLoopP99Ms: 2 + wobble,
      consumerLoopP99Ms: 1,
      ingestGcMs: 5,
      consumerGcMs: 3,
    };
  });
  return {
    status: 'ok',
    problems: [],
    rate: 1000,
    rateSource: { kind: 'ingest', capacity: 2000 },
    seconds: 120,
    fitFromSeconds: fitFrom(120),
    sent: 120_000,
    accepted: 120_000,
    stored: 120_000,
    achievedRate: 999.5,
    latencyMs: { p50: 2, p95: 4, p99: 8, max: 30 },
    catchUpSeconds: 0.8,
    series: summarizeSoak(samples, fitFrom(120)),
    samples,
    ...overrides,
  };
}
