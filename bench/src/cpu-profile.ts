// Summarizes a V8 .cpuprofile (node --cpu-prof) by self time: per package or area (what a reader
// can act on) and per function. Pure over the parsed profile.
import type { ProfileSummary } from './results.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  /** Microseconds of the monotonic clock (CLOCK_MONOTONIC on Linux, as process.hrtime). */
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Microseconds of the clock the profiles use, for windows taken in another process. */
export const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

/** The part of the profile to summarize, in monotonicMicros(): start-up and warm-up left out. */
export interface Window {
  readonly from: number;
  readonly to: number;
}

const NOT_CODE = new Set(['(idle)', '(program)', '(garbage collector)']);

/** The package, workspace or area of a frame. */
export function areaOf(callFrame: ProfileNode['callFrame']): string {
  const { functionName, url } = callFrame;
  if (NOT_CODE.has(functionName)) return functionName;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  const workspace = /\/(packages|services)\/([^/]+)\//.exec(url);
  if (workspace) return `${workspace[1]}/${workspace[2]}`;
  if (url.startsWith('node:')) return 'node internals';
  return url ? 'other' : `(native) ${functionName || 'anonymous'}`;
}

function functionOf(callFrame: ProfileNode['callFrame']): string {
  const { functionName, url, lineNumber } = callFrame;
  if (NOT_CODE.has(functionName)) return functionName;
  const where = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(packages|services)\//, '$1/');
  return `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
}

const top = (totals: Map<string, number>, wall: number, n: number) =>
  [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, micros]) => ({ name, percent: (100 * micros) / wall }));

export function summarizeProfile(profile: CpuProfile, file: string, window?: Window, limit = 15): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let wall = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id);
    const micros = profile.timeDeltas[i] ?? 0;
    at += micros;
    if (!node || (window && (at < window.from || at > window.to))) return;
    wall += micros;
    const area = areaOf(node.callFrame);
    byArea.set(area, (byArea.get(area) ?? 0) + micros);
    if (area !== '(idle)') {
      const fn = functionOf(node.callFrame);
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
    }
  });
  const idle = byArea.get('(idle)') ?? 0;
  return {
    file,
    wallSeconds: wall / 1e6,
    cpuSeconds: (wall - idle) / 1e6,
    byArea: top(byArea, wall || 1, limit),
    topFunctions: top(byFunction, wall || 1, limit),
  };
}
