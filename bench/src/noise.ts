// How busy the machine was with things other than the benchmark during a measurement: the CPU
// time of the whole machine (/proc/stat) minus that of the benchmark's own processes (this one,
// the servers it started, the bench stack's servers), as a share of all the CPU there was. The
// load average cannot tell that apart, since the benchmark itself loads the machine.
import { readFileSync } from 'node:fs';

/** Clock ticks, all in the same USER_HZ unit, so their ratios need no conversion. */
export interface CpuSample {
  readonly total: number;
  readonly busy: number;
  readonly ours: number;
}

/** The aggregate `cpu` line of /proc/stat: every tick, and those not idle (steal counts as busy). */
export function parseProcStat(text: string): { total: number; busy: number } {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat has no cpu line');
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { total, busy: total - idle - iowait };
}

/**
 * utime + stime of /proc/<pid>/stat, and cutime + cstime: the children it has waited for (so the
 * servers this process started and stopped still count once they are gone).
 */
export function parsePidStat(text: string): { own: number; children: number } {
  // The command name, in parentheses, may hold spaces; the fields after it are plain.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const at = (field: number) => Number(fields[field - 3] ?? 0);
  return { own: at(14) + at(15), children: at(16) + at(17) };
}

/** The share of the machine's CPU that others used between two samples, from 0 to 1. */
export function otherShare(before: CpuSample, after: CpuSample): number {
  const total = after.total - before.total;
  if (total <= 0) return 0;
  const other = after.busy - before.busy - (after.ours - before.ours);
  return Math.min(1, Math.max(0, other / total));
}

function pidTicks(pid: number, withChildren: boolean): number {
  try {
    const { own, children } = parsePidStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return own + (withChildren ? children : 0);
  } catch {
    return 0;
  }
}

/**
 * Samples the CPU counters. `pids` lists the benchmark's running processes other than this one:
 * the servers it started and the stack's servers.
 */
export function sampleCpu(pids: () => readonly number[]): CpuSample {
  const { total, busy } = parseProcStat(readFileSync('/proc/stat', 'utf8'));
  const ours = pidTicks(process.pid, true) + pids().reduce((sum, pid) => sum + pidTicks(pid, true), 0);
  return { total, busy, ours };
}
