import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REQUIRED = ['KAFKA_BROKERS', 'DATABASE_URL', 'MONGODB_URI', 'MONGODB_DATABASE', 'JWT_KEYS', 'PORT', 'METRICS_PORT'] as const;

/** The env of the running test stack (scripts/test.sh exports it); fails loudly without it. */
export function stackEnv(): Record<(typeof REQUIRED)[number], string> {
  const missing = REQUIRED.filter((name) => !process.env[name]);
  if (missing.length > 0) throw new Error(`end-to-end tests need the local stack (run them with make test): ${missing.join(', ')} not set`);
  return Object.fromEntries(REQUIRED.map((name) => [name, process.env[name] as string])) as Record<(typeof REQUIRED)[number], string>;
}

/** A service running from its build output as its own process, the way its container runs it. */
export class ServiceProcess {
  private constructor(
    readonly part: string,
    readonly child: ChildProcess,
    private readonly readyUrl: string,
  ) {}

  static async start(part: 'ingest' | 'consumer', readyUrl: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
    // A leftover process on the port would answer the readiness probe in place of the new one.
    if (await fetch(readyUrl).then(() => true, () => false)) throw new Error(`${readyUrl} already answers: another ${part} holds the port`);
    const child = spawn(process.execPath, [`services/${part}/dist/server.js`], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const service = new ServiceProcess(part, child, readyUrl);
    await service.waitReady();
    return service;
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`${this.part} exited with ${this.child.exitCode} during start`);
      const ok = await fetch(this.readyUrl).then((r) => r.ok, () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`${this.part} was not ready within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Sends the signal and waits for the exit; returns the exit code (null when killed by a signal). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const exited = once(this.child, 'exit');
    this.child.kill(signal);
    const [code] = (await exited) as [number | null];
    return code;
  }
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
