// The servers a measurement starts and stops itself (ingest, consumer, the empty route, the Kafka
// Bridge, Kafka Connect): each a child process logging to a file of its own, ready when its
// health URL answers, stopped with SIGTERM so it shuts down as in production.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { pidTicks } from './noise.js';

/** Thrown by a readiness check that knows the start has failed for good (no point waiting). */
export class StartFailed extends Error {
  override readonly name = 'StartFailed';
}

const running = new Map<number, string>();
/** CPU ticks of the servers that have stopped, by name, read just before each was stopped. */
const finished = new Map<string, number>();

/** The servers started here that still run, pid to name: the benchmark's CPU use counts them. */
export function runningChildren(): ReadonlyMap<number, string> {
  return running;
}

/** What the stopped servers used, by name (their shutdown aside). */
export function finishedChildren(): ReadonlyMap<string, number> {
  return finished;
}

export interface Started {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** SIGTERM, then wait for the exit; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly logFile: string;
  readonly cwd?: string;
  /** Polled until it resolves true. */
  readonly ready: () => Promise<boolean>;
  readonly readyTimeoutMs?: number;
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export async function startProcess(options: StartOptions): Promise<Started> {
  const log = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log);
  }
  let exited = false;
  if (child.pid !== undefined) running.set(child.pid, options.name);
  const exit = once(child, 'exit').then(() => {
    exited = true;
    if (child.pid !== undefined) running.delete(child.pid);
  });
  const stop = async (graceMs = 60_000) => {
    if (exited) return;
    if (child.pid !== undefined) finished.set(options.name, (finished.get(options.name) ?? 0) + pidTicks(child.pid));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exit;
    clearTimeout(killer);
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (exited) throw new Error(`${options.name} exited during start-up; last lines of ${options.logFile}:\n${tail(options.logFile)}`);
    // Other errors mean "not listening yet".
    const ready = await options.ready().catch((error: unknown) => {
      if (error instanceof StartFailed) throw error;
      return false;
    }).catch(async (error: unknown) => {
      await stop(5000);
      throw error;
    });
    if (ready) break;
    if (Date.now() > deadline) {
      await stop(5000);
      throw new Error(`${options.name} was not ready in time; last lines of ${options.logFile}:\n${tail(options.logFile)}`);
    }
    await sleep(250);
  }
  return { name: options.name, pid: child.pid ?? -1, logFile: options.logFile, stop };
}

/** A readiness check: the URL answers 2xx. */
export const answers = (url: string) => async () => (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;

/** Runs `fn` with the process started, and always stops it afterwards. */
export async function withProcess<T>(options: StartOptions, fn: (process: Started) => Promise<T>): Promise<T> {
  const started = await startProcess(options);
  try {
    return await fn(started);
  } finally {
    await started.stop();
  }
}
