// Summarizes a V8 .cpuprofile (node --cpu-prof) by where the time went: self time per package
// (or node internals, GC, idle) and the hottest functions.
//
//   node services/consumer/bench/profile-summary.ts services/consumer/bench/profiles/CPU.*.cpuprofile
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile>');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));

/** The package (or area) a frame belongs to: what a reader can act on. */
function area(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (functionName === '(idle)' || functionName === '(program)' || functionName === '(garbage collector)') return functionName;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  const workspace = /\/(packages|services)\/([^/]+)\//.exec(url);
  if (workspace) return `${workspace[1]}/${workspace[2]}`;
  if (url.startsWith('node:')) return 'node internals';
  return url ? 'other' : `(native) ${functionName || 'anonymous'}`;
}

const byArea = new Map<string, number>();
const byFunction = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const node = nodes.get(id);
  const micros = profile.timeDeltas[i] ?? 0;
  if (!node) return;
  total += micros;
  const where = area(node);
  byArea.set(where, (byArea.get(where) ?? 0) + micros);
  const { functionName, url, lineNumber } = node.callFrame;
  const name = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(packages|services)\//, '$1/')}:${lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
});

const pct = (micros: number) => `${((100 * micros) / total).toFixed(1).padStart(5)}%`;
const busy = total - (byArea.get('(idle)') ?? 0);
console.log(`profile: ${(total / 1e6).toFixed(1)} s wall, ${(busy / 1e6).toFixed(1)} s on the CPU (${pct(busy)})\n\nself time by area:`);
for (const [where, micros] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${pct(micros)}  ${where}`);
console.log('\nhottest functions (self time):');
for (const [name, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).filter(([n]) => !n.startsWith('(idle)')).slice(0, 15)) {
  console.log(`  ${pct(micros)}  ${name}`);
}
