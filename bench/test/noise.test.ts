import { describe, expect, it } from 'vitest';
import { otherShare, parsePidStat, parseProcStat } from '../src/noise.js';

describe('parseProcStat', () => {
  it('counts every tick, and as busy all but idle and iowait', () => {
    const text = 'cpu  100 5 50 800 20 3 2 10 0 0\ncpu0 50 2 25 400 10 1 1 5 0 0\n';
    expect(parseProcStat(text)).toEqual({ total: 990, busy: 170 });
  });
});

describe('parsePidStat', () => {
  it('reads utime+stime and cutime+cstime past a command name with spaces and parentheses', () => {
    const text = '4242 (node (main) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 700 300 40 60 20 0 11 0 1000 0 0';
    expect(parsePidStat(text)).toEqual({ own: 1000, children: 100 });
  });
});

describe('otherShare', () => {
  it('is the busy time that was not ours, over all the time there was', () => {
    expect(otherShare({ total: 0, busy: 0, ours: 0 }, { total: 200, busy: 150, ours: 100 })).toBe(0.25);
  });

  it('stays within 0 and 1 when the counters disagree a little', () => {
    expect(otherShare({ total: 0, busy: 0, ours: 0 }, { total: 100, busy: 50, ours: 60 })).toBe(0);
    expect(otherShare({ total: 5, busy: 0, ours: 0 }, { total: 5, busy: 0, ours: 0 })).toBe(0);
  });
});
