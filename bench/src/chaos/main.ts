// `make chaos` (through bench/chaos.sh, which starts the chaos profile): every scenario, one at a
// time, on the profile's brokers; then bench/results/chaos-<time>-<n>b.json and docs/chaos.md.
// CHAOS_SCENARIOS (comma-separated names) runs some only, and leaves docs/chaos.md as it is; the
// CHAOS_*_MS variables change the timing.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machine } from '../machine.js';
import { log } from '../measure.js';
import { readChaosContext } from './context.js';
import { newestRuns, renderChaosMarkdown, resultFileName, type ChaosRun } from './report.js';
import { passed, runScenario, type ScenarioResult, type Timing } from './run.js';
import { selectScenarios } from './scenarios.js';

const DEFAULT_TIMING: Timing = {
  rate: 100,
  warmupMs: 5_000,
  faultMs: 15_000,
  afterMs: 10_000,
  patienceMs: 60_000,
  drainTimeoutMs: 120_000,
  requestTimeoutMs: 10_000,
  sessionTimeoutMs: 6_000,
};

function readTiming(env: NodeJS.ProcessEnv): Timing {
  const number = (name: string, fallback: number) => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}='${text}': use a positive number`);
    return value;
  };
  const d = DEFAULT_TIMING;
  return {
    rate: number('CHAOS_RATE', d.rate),
    warmupMs: number('CHAOS_WARMUP_MS', d.warmupMs),
    faultMs: number('CHAOS_FAULT_MS', d.faultMs),
    afterMs: number('CHAOS_AFTER_MS', d.afterMs),
    patienceMs: number('CHAOS_PATIENCE_MS', d.patienceMs),
    drainTimeoutMs: number('CHAOS_DRAIN_TIMEOUT_MS', d.drainTimeoutMs),
    requestTimeoutMs: number('CHAOS_REQUEST_TIMEOUT_MS', d.requestTimeoutMs),
    sessionTimeoutMs: d.sessionTimeoutMs,
  };
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const workDir = join(process.env['CHAOS_DIR'] ?? '/tmp', 'chaos-run');
  mkdirSync(workDir, { recursive: true });
  const ctx = readChaosContext(process.env, workDir, true);
  const timing = readTiming(process.env);
  const names = (process.env['CHAOS_SCENARIOS'] ?? '').split(',').filter(Boolean);
  const scenarios = selectScenarios(names).filter((s) => !s.needs.includes('kafka-proxy') || ctx.kafkaProxyRoutes.size > 0);
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    log(`chaos: ${scenario.name} (${ctx.kafkaBrokers.length} broker${ctx.kafkaBrokers.length > 1 ? 's' : ''})`);
    const result = await runScenario(ctx, scenario, timing);
    const v = result.verdict;
    log(`  ${passed(result) ? 'pass' : 'FAIL'}: acknowledged ${v.acknowledged}, failed ${v.failed}, unanswered ${v.unanswered}, stored ${v.stored}, lost ${v.lost}, duplicated ${v.duplicated}, unexpected ${v.unexpected}${result.error ? `; ${result.error}` : ''}`);
    results.push(result);
  }
  const run: ChaosRun = {
    kind: 'chaos',
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machine(),
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ctx.root, encoding: 'utf8' }).trim(),
    brokers: ctx.kafkaBrokers.length,
    complete: names.length === 0,
    timing,
    scenarios: results,
  };
  mkdirSync(ctx.resultsDir, { recursive: true });
  writeFileSync(join(ctx.resultsDir, resultFileName(run)), `${JSON.stringify(run, null, 2)}\n`);
  if (run.complete) writeFileSync(join(ctx.root, 'docs', 'chaos.md'), renderChaosMarkdown(newestRuns(ctx.resultsDir)));
  const failed = results.filter((r) => !passed(r)).map((r) => r.name);
  log(failed.length === 0 ? `chaos: every scenario passed` : `chaos: failed: ${failed.join(', ')}`);
  if (failed.length > 0) process.exitCode = 1;
}

await main();
// Everything is written by now. After a long run (not after a short one) the process stays busy
// with something a scenario left behind, not found yet, instead of exiting: it ends here.
process.exit();
