// The soak's analysis: each second's readings of the services' /metrics and of Kafka turned into a
// sample, and every series fitted by least squares, so "memory and lag stay flat" is a slope per
// minute rather than a look at a chart. Pure: bench/test/soak.test.ts.
import type { Latency } from './results.js';

/**
 * prom-client's event-loop monitor (serviceRegistry leaves its precision at the default) is a
 * 10 ms timer whose histogram records the timer's whole interval: an idle loop reads 10 ms, so
 * the delay is what exceeds it.
 */
export const LOOP_RESOLUTION_MS = 10;

/** The services' own counters of the documents they handled, as their /metrics name them (docs/architecture.md). */
export const SERVICE_COUNTERS = { accepted: 'ingest_documents_accepted_total', stored: 'consumer_documents_stored_total' } as const;

/** The Prometheus exposition as metric name to value, summed over each metric's label sets. */
export function parseExposition(text: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const nameEnd = line.search(/[{ ]/);
    if (nameEnd <= 0) continue;
    const name = line.slice(0, nameEnd);
    // Label values may hold spaces: the value follows the closing brace (a timestamp may follow it).
    const rest = line[nameEnd] === '{' ? line.slice(line.lastIndexOf('}') + 1) : line.slice(nameEnd);
    const value = Number(rest.trim().split(/\s+/)[0]);
    if (!Number.isFinite(value)) continue;
    sums.set(name, (sums.get(name) ?? 0) + value);
  }
  return sums;
}

/**
 * A default metric of prom-client, whatever prefix the service gives them (ingest `ingest_`, the
 * consumer none): `name` itself, or a name ending in `_name`.
 */
export function defaultMetric(metrics: ReadonlyMap<string, number>, name: string): number | undefined {
  if (metrics.has(name)) return metrics.get(name);
  for (const [key, value] of metrics) if (key.endsWith(`_${name}`)) return value;
  return undefined;
}

/** One scrape of a service's /metrics. */
export interface ServiceReading {
  readonly rssBytes?: number;
  /** p99 of the event-loop monitor since the previous scrape (prom-client resets it at each). */
  readonly loopP99Seconds?: number;
  /** Seconds spent in GC since the process started (the sum of prom-client's GC histogram). */
  readonly gcSeconds?: number;
  /** The service's own count of documents: accepted by ingest, stored by the consumer. */
  readonly documents?: number;
}

export function readingOf(exposition: string, documentsCounter: string): ServiceReading {
  const metrics = parseExposition(exposition);
  const fields = {
    rssBytes: defaultMetric(metrics, 'process_resident_memory_bytes'),
    loopP99Seconds: defaultMetric(metrics, 'nodejs_eventloop_lag_p99_seconds'),
    gcSeconds: defaultMetric(metrics, 'nodejs_gc_duration_seconds_sum'),
    documents: metrics.get(documentsCounter),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** What the soak reads each second; a scrape that failed is undefined. */
export interface Readings {
  /** Seconds since the load started. */
  readonly t: number;
  readonly ingest?: ServiceReading;
  readonly consumer?: ServiceReading;
  /** Records of the documents topic that the consumer group has not committed. */
  readonly lagRecords?: number;
}

/** The series of a sample: what each means and its unit, in the order reports show them. */
export const SERIES = {
  ingestRssMiB: { title: 'ingest RSS', unit: 'MiB' },
  consumerRssMiB: { title: 'consumer RSS', unit: 'MiB' },
  lagRecords: { title: 'consumer group lag', unit: 'records' },
  backlog: { title: 'accepted − stored (services\u2019 counters)', unit: 'documents' },
  ingestLoopP99Ms: { title: 'ingest event-loop delay p99', unit: 'ms' },
  consumerLoopP99Ms: { title: 'consumer event-loop delay p99', unit: 'ms' },
  ingestGcMs: { title: 'ingest GC pauses', unit: 'ms/s' },
  consumerGcMs: { title: 'consumer GC pauses', unit: 'ms/s' },
} as const satisfies Record<string, { title: string; unit: string }>;

export type Series = keyof typeof SERIES;

export type SoakSample = { readonly t: number } & { readonly [S in Series]?: number };

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * One second's sample from its readings and the previous ones (GC time is a running total: its
 * increase since the previous reading, per second of wall time, in case a tick was missed).
 */
export function sampleOf(now: Readings, before: Readings | undefined): SoakSample {
  const sample: { t: number } & { [S in Series]?: number } = { t: round(now.t, 2) };
  const set = (series: Series, value: number | undefined, digits: number) => {
    if (value !== undefined && Number.isFinite(value)) sample[series] = round(value, digits);
  };
  const mib = (r?: ServiceReading) => (r?.rssBytes === undefined ? undefined : r.rssBytes / 2 ** 20);
  const loop = (r?: ServiceReading) => (r?.loopP99Seconds === undefined ? undefined : Math.max(0, r.loopP99Seconds * 1000 - LOOP_RESOLUTION_MS));
  const gc = (r?: ServiceReading, prev?: ServiceReading) =>
    r?.gcSeconds === undefined || prev?.gcSeconds === undefined || !before || now.t <= before.t
      ? undefined
      : Math.max(0, ((r.gcSeconds - prev.gcSeconds) * 1000) / (now.t - before.t));
  set('ingestRssMiB', mib(now.ingest), 1);
  set('consumerRssMiB', mib(now.consumer), 1);
  set('lagRecords', now.lagRecords, 0);
  const accepted = now.ingest?.documents;
  const stored = now.consumer?.documents;
  set('backlog', accepted === undefined || stored === undefined ? undefined : accepted - stored, 0);
  set('ingestLoopP99Ms', loop(now.ingest), 2);
  set('consumerLoopP99Ms', loop(now.consumer), 2);
  set('ingestGcMs', gc(now.ingest, before?.ingest), 2);
  set('consumerGcMs', gc(now.consumer, before?.consumer), 2);
  return sample;
}

/** Records behind, over a topic's partitions: from the committed offset (or the log start) to the end. */
export function groupLag(
  ends: ReadonlyArray<{ readonly partition: number; readonly high: string | number; readonly low: string | number }>,
  committed: ReadonlyArray<{ readonly partition: number; readonly offset: string | number }>,
): number {
  const at = new Map(committed.map((p) => [p.partition, Number(p.offset)]));
  // A partition the group never committed is at -1; the log starts at `low` after a reset deleted
  // the records before it.
  return ends.reduce((sum, p) => sum + Math.max(0, Number(p.high) - Math.max(Number(p.low), at.get(p.partition) ?? -1)), 0);
}

/** Least-squares slope of y over x; undefined with fewer than two distinct x. */
export function slope(points: ReadonlyArray<readonly [number, number]>): number | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const meanX = points.reduce((s, [x]) => s + x, 0) / n;
  const meanY = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of points) {
    sxx += (x - meanX) ** 2;
    sxy += (x - meanX) * (y - meanY);
  }
  return sxx === 0 ? undefined : sxy / sxx;
}

export interface SeriesSummary {
  /** Least-squares slope over the fitted window, per minute. */
  readonly perMinute?: number;
  /** Means of the fitted window's first and last tenths (single samples are noisy). */
  readonly start?: number;
  readonly end?: number;
  readonly max?: number;
  /**
   * The maximum of the window's second half less that of its first: a leak raises the peaks, where
   * a heap's sawtooth (V8 growing, then giving pages back) moves the slope with its phase at the end.
   */
  readonly peakRise?: number;
  /** Samples in the fitted window that had this series (a failed scrape has none). */
  readonly samples: number;
}

/** Share of the soak left out of the fits: the start-up, while the heaps grow to their working size and the JIT warms. */
export const FIT_SKIP_SHARE = 0.1;

/** Where the fits start: after the start-up share of the planned duration. */
export const fitFrom = (seconds: number) => round(seconds * FIT_SKIP_SHARE, 2);

export function summarizeSeries(samples: readonly SoakSample[], series: Series, fromSeconds: number): SeriesSummary {
  const points = samples.flatMap((s): Array<[number, number]> => {
    const value = s[series];
    return s.t >= fromSeconds && value !== undefined ? [[s.t / 60, value]] : [];
  });
  if (points.length === 0) return { samples: 0 };
  const tenth = Math.max(1, Math.round(points.length / 10));
  const mean = (part: ReadonlyArray<readonly [number, number]>) => part.reduce((s, [, y]) => s + y, 0) / part.length;
  const perMinute = slope(points);
  const maxOf = (part: ReadonlyArray<readonly [number, number]>) => Math.max(...part.map(([, y]) => y));
  const half = Math.floor(points.length / 2);
  return {
    ...(perMinute === undefined ? {} : { perMinute }),
    start: mean(points.slice(0, tenth)),
    end: mean(points.slice(-tenth)),
    max: maxOf(points),
    ...(half > 0 ? { peakRise: maxOf(points.slice(half)) - maxOf(points.slice(0, half)) } : {}),
    samples: points.length,
  };
}

/** Where the soak's rate came from. */
export type RateSource =
  | { readonly kind: 'ingest'; readonly capacity: number }
  | { readonly kind: 'probe'; readonly capacity: number }
  | { readonly kind: 'knob' };

export interface SoakResult {
  /** failed: not every accepted document was stored, or the consumer did not catch up. */
  readonly status: 'ok' | 'failed';
  /** Why it failed, and the load client's own problems (failed requests...). */
  readonly problems: readonly string[];
  /** Documents per second offered (open model: a slow answer does not slow the load). */
  readonly rate: number;
  readonly rateSource: RateSource;
  readonly seconds: number;
  /** The fits leave out the samples before this (seconds since the load started). */
  readonly fitFromSeconds: number;
  readonly sent: number;
  /** Documents ingest answered 202 for. */
  readonly accepted: number;
  /** Documents in the store once the consumer group had committed the whole topic. */
  readonly stored: number;
  /** Accepted per second of sending. */
  readonly achievedRate: number;
  readonly latencyMs: Latency;
  /** From the last answer to the group's commit of the whole topic. */
  readonly catchUpSeconds?: number;
  readonly series: Readonly<Record<Series, SeriesSummary>>;
  readonly samples: readonly SoakSample[];
}

export function summarizeSoak(samples: readonly SoakSample[], fromSeconds: number): Record<Series, SeriesSummary> {
  return Object.fromEntries((Object.keys(SERIES) as Series[]).map((s) => [s, summarizeSeries(samples, s, fromSeconds)])) as Record<Series, SeriesSummary>;
}

/** The end-of-soak check: every accepted document stored, once (the store's ids are unique). */
export function storageProblems(accepted: number, stored: number): string[] {
  if (stored === accepted) return [];
  return [`accepted ≠ stored: ingest accepted ${accepted} documents, the store holds ${stored} (${stored < accepted ? `${accepted - stored} missing` : `${stored - accepted} more than accepted`})`];
}

/** Half the capacity, the soak's rate: enough to matter, with room for the consumer beside ingest. */
export const halfOf = (capacity: number) => Math.max(1, Math.round(capacity / 2));
