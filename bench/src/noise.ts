// How busy the machine was with things other than the benchmark during a measurement: the CPU
// time of the whole machine (/proc/stat) minus that of the benchmark's own processes (this one,
// the servers it started, the bench stack's servers), as a share of all the CPU there was. The
// load average cannot tell that apart, since the benchmark itself loads the machine.
import { readFileSync } from 'node:fs';

/** Clock ticks, all in the same USER_HZ unit, so their ratios need no conversion. */
export interface CpuSample {
  readonly total: number;
  readonly busy: number;
  /** Processors /proc/stat counts: total ticks are this many times the wall time. */
  readonly cpus: number;
  /** The benchmark's processes by name. */
  readonly byProcess: Readonly<Record<string, number>>;
}

const sum = (values: Readonly<Record<string, number>>) => Object.values(values).reduce((a, b) => a + b, 0);

/** The aggregate `cpu` line of /proc/stat: every tick, and those not idle (steal counts as busy). */
export function parseProcStat(text: string): { total: number; busy: number; cpus: number } {
  const lines = text.split('\n');
  const line = lines.find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat has no cpu line');
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { total, busy: total - idle - iowait, cpus: lines.filter((l) => /^cpu\d/.test(l)).length };
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
  const other = after.busy - before.busy - (sum(after.byProcess) - sum(before.byProcess));
  return Math.min(1, Math.max(0, other / total));
}

/**
 * Cores each of the benchmark's processes kept busy on average between two samples (1 = one
 * core all the time), the busiest first, leaving out those under 0.01.
 */
export function coresByProcess(before: CpuSample, after: CpuSample): Record<string, number> {
  const total = after.total - before.total;
  if (total <= 0) return {};
  const cores = Object.entries(after.byProcess)
    .map(([name, ticks]): [string, number] => [name, ((ticks - (before.byProcess[name] ?? 0)) * after.cpus) / total])
    .filter(([, used]) => used >= 0.01)
    .sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(cores.map(([name, used]) => [name, Math.round(used * 100) / 100]));
}

/** utime + stime + cutime + cstime of a process; 0 once it is gone. */
export function pidTicks(pid: number): number {
  try {
    const { own, children } = parsePidStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return own + children;
  } catch {
    return 0;
  }
}

export interface BenchProcesses {
  /** The stack's servers that run, pid to name. */
  readonly stack: ReadonlyMap<number, string>;
  /** The servers this process started that run, pid to name. */
  readonly running: ReadonlyMap<number, string>;
  /** Ticks of the servers this process started and stopped, by name. */
  readonly finished: ReadonlyMap<string, number>;
}

/**
 * Samples the machine's CPU counters and the benchmark's processes. This process's own time is
 * the load client's (it drives the HTTP runs); its children's waited-for time, less what the
 * stopped servers had used, is that of its short-lived tools (ProducerPerformance).
 */
export function sampleCpu(processes: BenchProcesses): CpuSample {
  const { total, busy, cpus } = parseProcStat(readFileSync('/proc/stat', 'utf8'));
  const byProcess: Record<string, number> = {};
  const add = (name: string, ticks: number) => {
    byProcess[name] = (byProcess[name] ?? 0) + ticks;
  };
  try {
    const self = parsePidStat(readFileSync('/proc/self/stat', 'utf8'));
    add('bench runner (load client)', self.own);
    add('finished tools (ProducerPerformance)', Math.max(0, self.children - [...processes.finished.values()].reduce((a, b) => a + b, 0)));
  } catch {
    // Not Linux: only the machine's share is missing.
  }
  for (const [pid, name] of [...processes.stack, ...processes.running]) add(name, pidTicks(pid));
  for (const [name, ticks] of processes.finished) add(name, ticks);
  return { total, busy, cpus, byProcess };
}
