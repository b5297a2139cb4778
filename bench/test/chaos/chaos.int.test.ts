// The short chaos run of make test: the scenarios that need no stack server stopped (those belong to
// make chaos, on a profile of its own), with short faults, on the test profile's servers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readChaosContext } from '../../src/chaos/context.js';
import { runScenario, type Timing } from '../../src/chaos/run.js';
import { selectScenarios } from '../../src/chaos/scenarios.js';

const SHORT: Timing = {
  rate: 50,
  warmupMs: 3_000,
  faultMs: 5_000,
  afterMs: 3_000,
  patienceMs: 30_000,
  drainTimeoutMs: 60_000,
  requestTimeoutMs: 5_000,
  sessionTimeoutMs: 6_000,
};

const workDir = mkdtempSync(join(tmpdir(), 'docpipe-chaos-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('chaos, short: nothing acknowledged is lost or stored twice', () => {
  const ctx = readChaosContext(process.env, workDir, false);
  for (const scenario of selectScenarios(['ingest-kill', 'consumer-kill', 'consumer-kill-after-write', 'consumer-store-blackhole'])) {
    it(scenario.name, { timeout: 180_000 }, async () => {
      const result = await runScenario(ctx, scenario, SHORT);
      const { verdict } = result;
      const { acknowledged, unanswered, stored, retries } = verdict;
      console.log(`${scenario.name}: acknowledged ${acknowledged}, unanswered ${unanswered}, stored ${stored}, retries ${retries}, answers ${JSON.stringify(result.answers)}, first 202 after healing ${result.firstAcknowledgementAfterHealMs} ms`);
      expect(result.error, 'the scenario ran to its end').toBeUndefined();
      expect(result.drained, 'the consumer group caught up').toBe(true);
      expect(verdict.acknowledged, 'documents were acknowledged around the fault').toBeGreaterThan(0);
      expect({ lost: verdict.lost, duplicated: verdict.duplicated, unexpected: verdict.unexpected, wrongId: verdict.wrongId }, JSON.stringify(verdict.examples)).toEqual({
        lost: 0,
        duplicated: 0,
        unexpected: 0,
        wrongId: 0,
      });
      expect(result.firstAcknowledgementAfterHealMs, 'a 202 came after the healing').not.toBeNull();
    });
  }
});
