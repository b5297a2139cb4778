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

/** Where the CPU went while `run` ran: the cores each benchmark process kept busy, and the share others used. */
export interface CpuFrame {
  readonly otherCpu: number;
  readonly cores: Readonly<Record<string, number>>;
}

/** Runs `run` and reports, beside its value, the CPU of the benchmark's processes meanwhile. */
export async function withCpuFrame<T>(ctx: BenchContext, run: () => Promise<T>): Promise<{ value: T } & CpuFrame> {
  const before = sampleCpu(benchProcesses(ctx));
  const value = await run();
  const after = sampleCpu(benchProcesses(ctx));
  return { value, otherCpu: otherShare(before, after), cores: coresByProcess(before, after) };
}

export async function measure(ctx: BenchContext, id: MeasurementId, params: Params, run: () => Promise<Outcome>): Promise<Measurement> {
  const [measurement] = await measureTogether(ctx, [{ id, params }], async () => [await run()]);
  return measurement as Measurement;
}

export interface Measured {
  readonly id: MeasurementId;
  readonly params: Params;
}

/**
 * Measurements whose runs interleave, in one frame: each gets the outcome `run` returns at its
 * index, and all share the frame's load average and CPU figures.
 */
export async function measureTogether(ctx: BenchContext, measured: readonly Measured[], run: () => Promise<readonly Outcome[]>): Promise<Measurement[]> {
  for (const { id } of measured) log(`${id}: ${MEASUREMENTS[id].title}`);
  const before = loadavg()[0] ?? 0;
  const { value: outcomes, otherCpu, cores } = await withCpuFrame(ctx, async (): Promise<readonly Outcome[]> => {
    try {
      return await run();
    } catch (error) {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      const failed: Outcome = { status: 'failed', reason: firstLine(error) };
      return measured.map(() => failed);
    }
  });
  const after = loadavg()[0] ?? 0;
  return measured.map(({ id, params }, i) => {
    const outcome = outcomes[i] ?? { status: 'failed', reason: 'no outcome' };
    log(outcome.status === 'ok' ? `${id}: ${Math.round(outcome.throughput)} ${MEASUREMENTS[id].unit}` : `${id}: ${outcome.status}: ${outcome.reason}`);
    return { id, params, ...outcome, loadAverage: { before, after }, otherCpu, cores };
  });
}

/** A measurement that could not run at all (a peer not installable): the reason, no figures. */
export function unavailable(id: MeasurementId, params: Params, reason: string): Measurement {
  log(`${id}: unavailable: ${reason}`);
  return { id, params, status: 'unavailable', reason };
}

export interface Planned {
  /** One measurement, or several whose runs interleave (measureTogether). */
  readonly measured: readonly Measured[];
  readonly run: () => Promise<readonly Outcome[]>;
}

/** A measurement of its own, planned for onServer. */
export function planned(id: MeasurementId, params: Params, run: () => Promise<Outcome>): Planned {
  return { measured: [{ id, params }], run: async () => [await run()] };
}

/**
 * Measurements against servers started once for all of them, one after the other. A server that
 * cannot start fails each of them with the reason, and the run goes on.
 */
export async function onServer(ctx: BenchContext, servers: readonly StartOptions[], plan: readonly Planned[]): Promise<Measurement[]> {
  const done: Measurement[] = [];
  const runAll = async () => {
    for (const p of plan) done.push(...(await measureTogether(ctx, p.measured, p.run)));
  };
  const started = servers.reduceRight<() => Promise<void>>((inner, server) => () => withProcess(server, inner), runAll);
  try {
    await started();
  } catch (error) {
    const reason = `${servers.map((s) => s.name).join(', ')}: ${firstLine(error)}`;
    log(reason);
    const measured = new Set(done.map((m) => m.id));
    for (const { id, params } of plan.flatMap((p) => p.measured)) if (!measured.has(id)) done.push({ id, params, status: 'failed', reason });
  }
  return done;
}
