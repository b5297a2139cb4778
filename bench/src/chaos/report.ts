// A chaos run's results: JSON beside the benchmark's, and the Markdown table in docs/chaos.md made
// from the newest run of each broker count.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Machine } from '../results.js';
import { passed, type ScenarioResult, type Timing } from './run.js';

export interface ChaosRun {
  readonly kind: 'chaos';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: Machine;
  readonly commit: string;
  readonly brokers: number;
  /** Every scenario ran (no CHAOS_SCENARIOS): only such runs make the table. */
  readonly complete: boolean;
  readonly timing: Timing;
  readonly scenarios: readonly ScenarioResult[];
}

/** `chaos-<time>-<n>b.json`: the prefix keeps the benchmark's own readers off these files. */
export function resultFileName(run: ChaosRun): string {
  return `chaos-${run.startedAt.replace(/[:.]/g, '-')}-${run.brokers}b.json`;
}

/** The newest complete run of each broker count in `dir`, fewest brokers first. */
export function newestRuns(dir: string): ChaosRun[] {
  const newest = new Map<number, ChaosRun>();
  for (const file of readdirSync(dir).filter((f) => /^chaos-.*-\d+b\.json$/.test(f)).sort()) {
    const run = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ChaosRun;
    if (run.complete) newest.set(run.brokers, run);
  }
  return [...newest.entries()].sort(([a], [b]) => a - b).map(([, run]) => run);
}

const seconds = (ms: number | null) => (ms === null ? '–' : (ms / 1000).toFixed(1));

export function renderChaosMarkdown(runs: readonly ChaosRun[]): string {
  const lines = [
    '# Chaos: what Docpipe loses under faults',
    '',
    'Written by `make chaos` (bench/src/chaos) from its newest run of each profile; the JSON of every run is in',
    '`bench/results/chaos-*.json`. How the run works and what each column means: bench/README.md, "make chaos".',
    '',
  ];
  for (const run of runs) {
    const { timing } = run;
    lines.push(
      `## ${run.brokers === 1 ? 'One broker' : `${run.brokers} brokers (replication factor 3, min.insync.replicas 2)`}`,
      '',
      `${run.startedAt} at ${run.commit}, on ${run.machine.cores} cores (${run.machine.cpuModel}), ${Math.round(run.machine.memoryBytes / 2 ** 30)} GiB. ` +
        `Load: ${timing.rate} documents/s, one per request, each with its own Idempotency-Key and retried with it; ` +
        `${seconds(timing.warmupMs)} s before the fault, ${seconds(timing.faultMs)} s of fault, ${seconds(timing.afterMs)} s after.`,
      '',
      '| scenario | acknowledged | failed | unanswered | stored | lost | duplicated | unexpected | first 202 after healing (s) | retries | result |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    );
    for (const s of run.scenarios) {
      const v = s.verdict;
      const result = passed(s) ? 'pass' : `**fail**${s.error ? `: ${s.error.split('\n')[0]}` : s.drained ? '' : ': lag did not reach zero'}`;
      lines.push(
        `| ${s.name} | ${v.acknowledged} | ${v.failed} | ${v.unanswered} | ${v.stored} | ${v.lost} | ${v.duplicated} | ${v.unexpected} | ${seconds(s.firstAcknowledgementAfterHealMs)} | ${v.retries} | ${result} |`,
      );
    }
    lines.push('');
  }
  const faults = new Map(runs.flatMap((run) => run.scenarios.map((s) => [s.name, s.fault] as const)));
  lines.push('## The faults', '');
  for (const [name, fault] of faults) lines.push(`- **${name}**: ${fault}.`);
  lines.push('');
  return lines.join('\n');
}
