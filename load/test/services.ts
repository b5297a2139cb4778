import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createKafkaClient } from '@docpipe/kafka';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REQUIRED = ['KAFKA_BROKERS', 'DATABASE_URL', 'MONGODB_URI', 'JWT_KEYS'] as const;

/**
 * Fails (never skips) without the stack's env: a run without the stack must not look green.
 * scripts/test.sh exports it; by hand: eval "$(DOCPIPE_PROFILE=... scripts/stack/env.sh)".
 */
export function requireStackEnv(): void {
  const missing = REQUIRED.filter((name) => !process.env[name]);
  if (missing.length > 0) throw new Error(`the client integration test needs the local stack (make test): ${missing.join(', ')} not set`);
}

/**
 * Fails when another consumer is in the consumer group: it would take some of the partitions, and
 * store what it reads in its own database, out of reach of this test's ingest (e.g. make local
 * running on the same profile).
 */
export async function requireNoOtherConsumer(): Promise<void> {
  const groupId = process.env['KAFKA_GROUP_ID'] || 'docpipe-consumer';
  const silent = { error() {}, warn() {}, info() {}, debug() {} };
  const admin = createKafkaClient({ brokers: String(process.env['KAFKA_BROKERS']).split(','), clientId: 'load-it', logger: silent }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const members = groups[0]?.members.length ?? 0;
    if (members > 0) throw new Error(`${members} consumer(s) of group ${groupId} already run against this stack: stop them, or use a profile of its own`);
  } finally {
    await admin.disconnect();
  }
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** ingest or consumer from its build output, as its own process, with the stack's env plus `env`. */
export class Service {
  readonly #child: ChildProcess;
  #output = '';

  private constructor(readonly part: string, child: ChildProcess) {
    this.#child = child;
    // The tail of the log, to explain a start that fails.
    const keep = (chunk: Buffer) => (this.#output = (this.#output + chunk.toString()).slice(-4000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static async start(part: 'ingest' | 'consumer', env: Record<string, string>, readyUrl: string): Promise<Service> {
    const entry = `services/${part}/dist/server.js`;
    if (!existsSync(`${ROOT}/${entry}`)) throw new Error(`${entry} is missing: run npm run build`);
    const child = spawn(process.execPath, [entry], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const service = new Service(part, child);
    const deadline = Date.now() + 60_000;
    while (!(await fetch(readyUrl).then((r) => r.ok, () => false))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await service.stop();
        throw new Error(`${part} did not become ready at ${readyUrl}:\n${service.#output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return service;
  }

  /** SIGTERM and wait for the graceful stop (the consumer commits what it stored); SIGKILL after 30 s. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = once(this.#child, 'exit');
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}
