import { describe, expect, it } from 'vitest';
import {
  defaultMetric,
  fitFrom,
  groupLag,
  halfOf,
  LOOP_RESOLUTION_MS,
  parseExposition,
  readingOf,
  sampleOf,
  slope,
  storageProblems,
  summarizeSeries,
  type SoakSample,
} from '../src/soak.js';
import { soakResult } from './fixtures.js';

const INGEST = `# HELP ingest_process_resident_memory_bytes Resident memory size in bytes.
# TYPE ingest_process_resident_memory_bytes gauge
ingest_process_resident_memory_bytes 104857600
ingest_nodejs_eventloop_lag_p99_seconds 0.0125
ingest_nodejs_gc_duration_seconds_sum{kind="minor"} 0.25
ingest_nodejs_gc_duration_seconds_sum{kind="major"} 0.5
ingest_nodejs_gc_duration_seconds_count{kind="minor"} 40
ingest_documents_accepted_total{endpoint="single",pipeline="invoices"} 900
ingest_documents_accepted_total{endpoint="batch",pipeline="invoices"} 100
ingest_users NaN
ingest_http_request_duration_seconds_bucket{le="+Inf",route="/v1/a b"} 7 1700000000000
`;

describe('parseExposition', () => {
  it('sums each metric over its label sets and skips comments and values that are not numbers', () => {
    const metrics = parseExposition(INGEST);
    expect(metrics.get('ingest_nodejs_gc_duration_seconds_sum')).toBe(0.75);
    expect(metrics.get('ingest_documents_accepted_total')).toBe(1000);
    expect(metrics.has('ingest_users')).toBe(false);
    expect(metrics.has('# HELP')).toBe(false);
  });

  it('reads the value after the labels, even when a label value holds a space and a timestamp follows', () => {
    expect(parseExposition(INGEST).get('ingest_http_request_duration_seconds_bucket')).toBe(7);
  });
});

describe('defaultMetric', () => {
  it("finds prom-client's default metric with the service's prefix or without one", () => {
    expect(defaultMetric(new Map([['process_resident_memory_bytes', 1]]), 'process_resident_memory_bytes')).toBe(1);
    expect(defaultMetric(new Map([['ingest_process_resident_memory_bytes', 2]]), 'process_resident_memory_bytes')).toBe(2);
    expect(defaultMetric(new Map([['xprocess_resident_memory_bytes', 3]]), 'process_resident_memory_bytes')).toBeUndefined();
  });
});

describe('readingOf and sampleOf', () => {
  const before = { t: 1, ingest: readingOf(INGEST, 'ingest_documents_accepted_total') };
  const later = INGEST.replace('kind="major"} 0.5', 'kind="major"} 0.52').replace('pipeline="invoices"} 100', 'pipeline="invoices"} 300');
  const now = {
    t: 3,
    ingest: readingOf(later, 'ingest_documents_accepted_total'),
    consumer: readingOf('process_resident_memory_bytes 52428800\nconsumer_documents_stored_total{collection="documents"} 1150\n', 'consumer_documents_stored_total'),
    lagRecords: 42,
  };

  it('reads RSS, loop delay, GC time and the counter of a service', () => {
    expect(before.ingest).toEqual({ rssBytes: 104_857_600, loopP99Seconds: 0.0125, gcSeconds: 0.75, documents: 1000 });
  });

  it('turns readings into MiB, the delay beyond the monitor’s own interval, and GC ms per second since the previous sample', () => {
    const sample = sampleOf(now, before);
    expect(sample).toMatchObject({ t: 3, ingestRssMiB: 100, consumerRssMiB: 50, lagRecords: 42, backlog: 50 });
    expect(sample.ingestLoopP99Ms).toBeCloseTo(12.5 - LOOP_RESOLUTION_MS, 5);
    // 20 ms of GC over 2 s.
    expect(sample.ingestGcMs).toBeCloseTo(10, 5);
  });

  it('leaves out what it cannot compute: GC without a previous reading, series of a failed scrape', () => {
    const sample = sampleOf({ t: 1, ingest: before.ingest }, undefined);
    expect(sample.ingestGcMs).toBeUndefined();
    expect(sample.consumerRssMiB).toBeUndefined();
    expect(sample.backlog).toBeUndefined();
    expect(sample.lagRecords).toBeUndefined();
  });

  it('never reads a delay below 0 when the loop is quicker than the monitor’s interval', () => {
    expect(sampleOf({ t: 1, ingest: { loopP99Seconds: 0.009 } }, undefined).ingestLoopP99Ms).toBe(0);
  });
});

describe('groupLag', () => {
  it('counts from the committed offset to the end of each partition', () => {
    expect(groupLag([{ partition: 0, high: '100', low: '0' }, { partition: 1, high: '50', low: '0' }], [{ partition: 0, offset: '90' }, { partition: 1, offset: '50' }])).toBe(10);
  });

  it('counts a partition the group never committed from the start of its log, not from offset 0', () => {
    expect(groupLag([{ partition: 0, high: '1000', low: '900' }], [{ partition: 0, offset: '-1' }])).toBe(100);
    expect(groupLag([{ partition: 0, high: '1000', low: '900' }], [])).toBe(100);
  });
});

describe('slope', () => {
  it('is the least-squares slope: positive for a rising series, 0 for a flat one, negative for a falling one', () => {
    expect(slope([[0, 1], [1, 3], [2, 5]])).toBeCloseTo(2, 10);
    expect(slope([[0, 7], [1, 7], [2, 7]])).toBe(0);
    expect(slope([[0, 5], [1, 4], [2, 2]])).toBeCloseTo(-1.5, 10);
  });

  it('is ~0 for noise around a level, whatever its amplitude', () => {
    const noisy = Array.from({ length: 100 }, (_, i): [number, number] => [i, 10 + (i % 2 === 0 ? 3 : -3)]);
    expect(Math.abs(slope(noisy) ?? Number.NaN)).toBeLessThan(0.01);
  });

  it('has none without two distinct x', () => {
    expect(slope([])).toBeUndefined();
    expect(slope([[1, 2]])).toBeUndefined();
    expect(slope([[1, 2], [1, 3]])).toBeUndefined();
  });
});

describe('summarizeSeries', () => {
  const samples: SoakSample[] = Array.from({ length: 600 }, (_, i) => {
    const t = i + 1;
    return { t, ingestRssMiB: t < 60 ? 50 + t : 110 + t / 60, lagRecords: 0 };
  });

  it('fits per minute, leaving out the start-up', () => {
    const rss = summarizeSeries(samples, 'ingestRssMiB', fitFrom(600));
    // 1 MiB per minute after the start-up; the steep first minute left out.
    expect(rss.perMinute).toBeCloseTo(1, 6);
    expect(rss.samples).toBe(541);
    expect(rss.start).toBeCloseTo(111.45, 1);
    expect(rss.end).toBeCloseTo(119.55, 1);
    expect(rss.max).toBeCloseTo(120, 6);
    // 270 samples from the 60th second, then 271: their maxima at 329 s and at 600 s.
    expect(rss.peakRise).toBeCloseTo((600 - 329) / 60, 6);
    expect(summarizeSeries(samples, 'lagRecords', 60).perMinute).toBe(0);
  });

  it('sees no peak rise in a sawtooth that the slope reads as growth', () => {
    // A heap that grows 10 MiB in each 100 s and gives it back, ending near its top.
    const saw: SoakSample[] = Array.from({ length: 590 }, (_, i) => ({ t: i + 11, ingestRssMiB: 200 + ((i + 11) % 100) / 10 }));
    const rss = summarizeSeries(saw, 'ingestRssMiB', 0);
    expect(rss.perMinute).toBeGreaterThan(0.1);
    expect(Math.abs(rss.peakRise ?? Number.NaN)).toBeLessThan(0.01);
  });

  it('says when a series has no samples', () => {
    expect(summarizeSeries(samples, 'consumerGcMs', 60)).toEqual({ samples: 0 });
  });
});

describe('the end-of-soak check', () => {
  it('passes only when the store holds exactly the accepted documents', () => {
    expect(storageProblems(1000, 1000)).toEqual([]);
    expect(storageProblems(1000, 998)[0]).toContain('2 missing');
    expect(storageProblems(1000, 1001)[0]).toContain('1 more than accepted');
  });
});

describe('halfOf', () => {
  it('halves the capacity to a whole rate of at least 1', () => {
    expect(halfOf(3531.6)).toBe(1766);
    expect(halfOf(1)).toBe(1);
  });
});

describe('the soak fixture', () => {
  it('summarizes a rising ingest RSS and a flat consumer', () => {
    const { series } = soakResult();
    expect(series.ingestRssMiB.perMinute).toBeCloseTo(2, 6);
    expect(series.consumerRssMiB.perMinute).toBe(0);
    expect(Math.abs(series.lagRecords.perMinute ?? Number.NaN)).toBeLessThan(10);
  });
});
