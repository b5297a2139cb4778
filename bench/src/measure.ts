// One measurement's frame: progress on stderr, the machine's load around it, and a failure turned
// into a result that says why instead of ending the run.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { BenchContext } from './context.js';
import { coresByProcess, otherShare, sampleCpu, type BenchProcesses } from './noise.js';
import { finishedChildren, runningChildren, withProcess, type StartOptions } from './processes.js';
import { MEASUREMENTS, type Measurement, type MeasurementId, type Outcome, type Params } from './results.js';

export function log(message: string): void {
  process.stderr.write(`\x1b[1;34m==>\x1b[0m bench: ${message}\n`);
}

export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/** The benchmark's processes besides this one: the stack's servers and those started here. */
function benchProcesses(ctx: BenchContext): BenchProcesses {
  const stack = new Map<number, string>();
  for (const [name, file] of Object.entries(ctx.stackPidFiles)) {
    try {
      const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
      if (Number.isInteger(pid) && pid > 0) stack.set(pid, `${name} (stack)`);
    } catch {
      // Not running: nothing to count.
    }
  }
  return { stack, running: runningChildren(), finished: finishedChildren() };
}

export async function measure(ctx: BenchContext, id: MeasurementId, params: Params, run: () => Promise<Outcome>): Promise<Measurement> {
  log(`${id}: ${MEASUREMENTS[id].title}`);
  const before = loadavg()[0] ?? 0;
  const cpuBefore = sampleCpu(benchProcesses(ctx));
  let outcome: Outcome;
  try {
    outcome = await run();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    outcome = { status: 'failed', reason: firstLine(error) };
  }
  const after = loadavg()[0] ?? 0;
  const cpuAfter = sampleCpu(benchProcesses(ctx));
  const otherCpu = otherShare(cpuBefore, cpuAfter);
  const cores = coresByProcess(cpuBefore, cpuAfter);
  log(outcome.status === 'ok' ? `${id}: ${Math.round(outcome.throughput)} ${MEASUREMENTS[id].unit}` : `${id}: ${outcome.status}: ${outcome.reason}`);
  return { id, params, ...outcome, loadAverage: { before, after }, otherCpu, cores };
}

/** A measurement that could not run at all (a peer not installable): the reason, no figures. */
export function unavailable(id: MeasurementId, params: Params, reason: string): Measurement {
  log(`${id}: unavailable: ${reason}`);
  return { id, params, status: 'unavailable', reason };
}

export interface Planned {
  readonly id: MeasurementId;
  readonly params: Params;
  readonly run: () => Promise<Outcome>;
}

/**
 * Measurements against one server, started once for all of them, one after the other. A server
 * that cannot start fails each of them with the reason, and the run goes on.
 */
export async function onServer(ctx: BenchContext, server: StartOptions, planned: readonly Planned[]): Promise<Measurement[]> {
  const done: Measurement[] = [];
  try {
    await withProcess(server, async () => {
      for (const p of planned) done.push(await measure(ctx, p.id, p.params, p.run));
    });
  } catch (error) {
    const reason = `${server.name}: ${firstLine(error)}`;
    log(reason);
    const measured = new Set(done.map((m) => m.id));
    for (const p of planned) if (!measured.has(p.id)) done.push({ id: p.id, params: p.params, status: 'failed', reason });
  }
  return done;
}
