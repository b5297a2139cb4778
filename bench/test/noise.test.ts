import { describe, expect, it } from 'vitest';
import { coresByProcess, otherShare, parsePidStat, parseProcStat, type CpuSample } from '../src/noise.js';

describe('parseProcStat', () => {
  it('counts every tick, and as busy all but idle and iowait', () => {
    const text = 'cpu  100 5 50 800 20 3 2 10 0 0\ncpu0 50 2 25 400 10 1 1 5 0 0\n';
    expect(parseProcStat(text)).toEqual({ total: 990, busy: 170, cpus: 1 });
  });
});

describe('parsePidStat', () => {
  it('reads utime+stime and cutime+cstime past a command name with spaces and parentheses', () => {
    const text = '4242 (node (main) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 700 300 40 60 20 0 11 0 1000 0 0';
    expect(parsePidStat(text)).toEqual({ own: 1000, children: 100 });
  });
});

const sample = (total: number, busy: number, byProcess: Record<string, number>): CpuSample => ({ total, busy, cpus: 2, byProcess });

describe('otherShare', () => {
  it('is the busy time that was not ours, over all the time there was', () => {
    expect(otherShare(sample(0, 0, {}), sample(200, 150, { ingest: 60, runner: 40 }))).toBe(0.25);
  });

  it('stays within 0 and 1 when the counters disagree a little', () => {
    expect(otherShare(sample(0, 0, {}), sample(100, 50, { ingest: 60 }))).toBe(0);
    expect(otherShare(sample(5, 0, {}), sample(5, 0, {}))).toBe(0);
  });
});

describe('coresByProcess', () => {
  it('turns ticks into cores used on average, busiest first, dropping the idle ones', () => {
    // 2 processors, 200 ticks in all: 100 ticks of wall time.
    const before = sample(1000, 0, { ferretdb: 10, consumer: 5, prometheus: 7 });
    const after = sample(1200, 0, { ferretdb: 108, consumer: 35, prometheus: 7, ingest: 20 });
    expect(coresByProcess(before, after)).toEqual({ ferretdb: 0.98, consumer: 0.3, ingest: 0.2 });
    expect(Object.keys(coresByProcess(before, after))).toEqual(['ferretdb', 'consumer', 'ingest']);
  });
});
