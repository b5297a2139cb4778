import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/chaos/checker.js';
import { newestRuns, renderChaosMarkdown, resultFileName, type ChaosRun } from '../../src/chaos/report.js';
import type { ScenarioResult } from '../../src/chaos/run.js';

const clean: Verdict = {
  sent: 10, acknowledged: 10, failed: 0, unanswered: 0, stored: 10, lost: 0, duplicated: 0, unexpected: 0, wrongId: 0, retries: 2,
  examples: { lost: [], duplicated: [], unexpected: [], wrongId: [] },
};
const scenario = (name: string, verdict: Verdict, extra: Partial<ScenarioResult> = {}): ScenarioResult => ({
  name, fault: `the ${name} fault`, brokers: 1, pipeline: `chaos-${name}`, verdict, firstAcknowledgementAfterHealMs: 1500, answers: { 202: 10 }, drained: true, durationMs: 1, ...extra,
});
const run = (brokers: number, scenarios: ScenarioResult[]): ChaosRun => ({
  kind: 'chaos', startedAt: '2026-12-01T10:00:00.000Z', finishedAt: '2026-12-01T10:10:00.000Z', commit: 'abc1234', brokers, complete: true, scenarios,
  machine: { cpuModel: 'cpu', cores: 2, memoryBytes: 24 * 2 ** 30, os: 'os', kernel: 'k', hostname: 'h' },
  timing: { rate: 100, warmupMs: 5000, faultMs: 15000, afterMs: 10000, patienceMs: 60000, drainTimeoutMs: 120000, requestTimeoutMs: 10000, sessionTimeoutMs: 6000 },
});

describe('the chaos report', () => {
  it('has a row per scenario and profile, marks failures with their cause, and lists each fault once', () => {
    const markdown = renderChaosMarkdown([
      run(1, [scenario('a', clean), scenario('b', { ...clean, lost: 3 })]),
      run(3, [scenario('a', clean), scenario('c', clean, { drained: false }), scenario('d', clean, { error: 'no bulk write reached the store\nstack' })]),
    ]);
    expect(markdown).toContain('## One broker');
    expect(markdown).toContain('## 3 brokers');
    expect(markdown).toContain('| a | 10 | 0 | 0 | 10 | 0 | 0 | 0 | 1.5 | 2 | pass |');
    expect(markdown).toContain('| b | 10 | 0 | 0 | 10 | 3 | 0 | 0 | 1.5 | 2 | **fail** |');
    expect(markdown).toContain('**fail**: lag did not reach zero');
    expect(markdown).toContain('**fail**: no bulk write reached the store |');
    expect(markdown.match(/- \*\*a\*\*: the a fault\./g)).toHaveLength(1);
  });

  it('names result files so the benchmark does not read them, by time and broker count', () => {
    expect(resultFileName(run(3, []))).toBe('chaos-2026-12-01T10-00-00-000Z-3b.json');
  });

  it('makes the table from the newest complete run of each broker count, never from a run of some scenarios', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chaos-report-'));
    try {
      const at = (time: string, brokers: number, complete: boolean) => ({ ...run(brokers, [scenario(time, clean)]), startedAt: `2026-12-01T${time}:00.000Z`, complete });
      for (const r of [at('10:00', 1, true), at('11:00', 1, true), at('12:00', 1, false), at('09:00', 3, true)]) writeFileSync(join(dir, resultFileName(r)), JSON.stringify(r));
      writeFileSync(join(dir, 'latest.json'), '{}');
      expect(newestRuns(dir).map((r) => [r.brokers, r.startedAt])).toEqual([
        [1, '2026-12-01T11:00:00.000Z'],
        [3, '2026-12-01T09:00:00.000Z'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
