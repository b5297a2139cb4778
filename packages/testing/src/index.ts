import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * The named variables of the running local stack (scripts/test.sh exports them). Integration tests
 * fail, never skip, without them: a run without the stack must not look green.
 */
export function requireStackEnv<const N extends string>(names: readonly N[]): Record<N, string> {
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(
      `integration tests need the local stack: ${missing.join(', ')} not set. Run them with make test, or load a profile's env:\n` +
        '  DOCPIPE_PROFILE=mine DOCPIPE_PORT_OFFSET=200 scripts/stack/up.sh && eval "$(DOCPIPE_PROFILE=mine scripts/stack/env.sh)"',
    );
  }
  return Object.fromEntries(names.map((name) => [name, process.env[name] as string])) as Record<N, string>;
}

/**
 * The Kafka settings a service gets on the local stack: its own user (env.sh's
 * DOCPIPE_KAFKA_<PART>_SASL_*) as the KAFKA_SASL_* it reads, the super user that creates its
 * pipelines' topics and grants it their ACLs (nothing on a broker without users), and the client
 * library when KAFKA_LIBRARY chooses one, so that `KAFKA_LIBRARY=… make test` runs every service on it.
 */
export function stackKafkaEnv(part: 'ingest' | 'consumer', env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const prefix = `DOCPIPE_KAFKA_${part.toUpperCase()}_SASL_`;
  const username = env[`${prefix}USERNAME`];
  const password = env[`${prefix}PASSWORD`];
  const admin = env['KAFKA_ADMIN_SASL_USERNAME'];
  const adminPassword = env['KAFKA_ADMIN_SASL_PASSWORD'];
  const library = env['KAFKA_LIBRARY'];
  return {
    ...(library ? { KAFKA_LIBRARY: library } : {}),
    ...(username && password ? { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } : {}),
    ...(admin && adminPassword ? { KAFKA_ADMIN_SASL_USERNAME: admin, KAFKA_ADMIN_SASL_PASSWORD: adminPassword } : {}),
  };
}

/** The variables stackKafkaEnv reads, for a harness that hands a chosen env on to the services. */
export const STACK_KAFKA_CREDENTIALS = ['ingest', 'consumer', 'admin'].flatMap((user) =>
  ['USERNAME', 'PASSWORD'].map((half) => (user === 'admin' ? `KAFKA_ADMIN_SASL_${half}` : `DOCPIPE_KAFKA_${user.toUpperCase()}_SASL_${half}`)),
);

/**
 * Client options for a test's or a benchmark's own Kafka work on the local stack: its brokers, as
 * the stack's super user; usable by kafkajs and by @docpipe/kafka alike.
 */
export function stackKafkaAdmin(clientId: string, env: NodeJS.ProcessEnv = process.env) {
  const brokers = env['KAFKA_BROKERS'];
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run with the local stack (make test)');
  const username = env['KAFKA_ADMIN_SASL_USERNAME'];
  const password = env['KAFKA_ADMIN_SASL_PASSWORD'];
  const sasl = username && password ? { sasl: { mechanism: 'scram-sha-512' as const, username, password } } : {};
  return { brokers: brokers.split(','), clientId, ...sasl };
}

/** Polls `check` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
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

/** A service run from its build output as its own process, the way its container runs it. */
export class ServiceProcess {
  readonly #child: ChildProcess;
  #output = '';

  private constructor(
    readonly part: string,
    child: ChildProcess,
  ) {
    this.#child = child;
    // The tail of the log, to explain a start that fails.
    const keep = (chunk: Buffer) => (this.#output = (this.#output + chunk.toString()).slice(-4000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** The process id: the same pid before and after a change proves there was no restart. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The tail of what the process wrote, for a test that checks a message it logged. */
  get output(): string {
    return this.#output;
  }

  /** Starts `services/<part>/dist/server.js` with the current env plus `env`, and waits for `readyUrl`. */
  static async start(part: 'ingest' | 'consumer', readyUrl: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
    // A leftover process on the port would answer the readiness probe in place of the new one.
    if (await fetch(readyUrl).then(() => true, () => false)) throw new Error(`${readyUrl} already answers: another ${part} holds the port`);
    const service = ServiceProcess.spawn(part, env);
    try {
      await waitFor(`${part} ready at ${readyUrl}`, async () => {
        if (service.#child.exitCode !== null) throw new Error(`${part} exited with ${service.#child.exitCode} during start`);
        return fetch(readyUrl).then((r) => r.ok, () => false);
      }, 60_000, 200);
    } catch (error) {
      await service.stop('SIGKILL');
      throw new Error(`${(error as Error).message}\n${service.#output}`);
    }
    return service;
  }

  /**
   * Starts the process without waiting for it to be ready, for tests that act while it starts. It
   * connects to Kafka as the part's own user of the local stack unless `env` says otherwise.
   */
  static spawn(part: 'ingest' | 'consumer', env: Record<string, string> = {}): ServiceProcess {
    const entry = `services/${part}/dist/server.js`;
    if (!existsSync(`${ROOT}/${entry}`)) throw new Error(`${entry} is missing: run npm run build`);
    const child = spawn(process.execPath, [entry], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...stackKafkaEnv(part), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    return new ServiceProcess(part, child);
  }

  /**
   * Sends the signal and waits for the exit (SIGKILL after 30 s); returns the exit code, null when
   * a signal ended the process.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return this.#child.exitCode;
    const exited = once(this.#child, 'exit');
    this.#child.kill(signal);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 30_000);
    const [code] = (await exited) as [number | null];
    clearTimeout(timer);
    return code;
  }
}

/** Runs `task` over `items` with at most `limit` in flight, keeping the order of results. */
export async function pooled<T, R>(items: readonly T[], limit: number, task: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

/** Registers a user on a running ingest and logs in: its id and the Authorization header value. */
export async function registerUser(api: string, username: string, password: string): Promise<{ owner: string; authorization: string }> {
  const credentials = JSON.stringify({ username, password });
  const json = { 'content-type': 'application/json' };
  const user = await fetch(`${api}/v1/users`, { method: 'POST', headers: json, body: credentials });
  if (user.status !== 201) throw new Error(`registering ${username}: ${user.status} ${await user.text()}`);
  const owner = ((await user.json()) as { id: string }).id;
  const token = await fetch(`${api}/v1/token`, { method: 'POST', headers: json, body: credentials });
  if (token.status !== 200) throw new Error(`a token for ${username}: ${token.status} ${await token.text()}`);
  return { owner, authorization: `Bearer ${((await token.json()) as { access_token: string }).access_token}` };
}

/** A valid document of the invoices pipeline, as the UCI data set has them. */
export function sampleInvoice(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    InvoiceNo: '536365',
    StockCode: '85123A',
    Description: 'WHITE HANGING HEART T-LIGHT HOLDER',
    Quantity: 6,
    InvoiceDate: '01/12/2010 08:26',
    UnitPrice: 2.55,
    CustomerID: 17850,
    Country: 'United Kingdom',
    ...overrides,
  };
}

/** A valid document of the orders pipeline: a nested customer and two lines, no currency (EUR by the transform). */
export function sampleOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    orderId: 'ORD-000123',
    placedAt: '2026-11-30 17:45:00',
    customer: { id: 42, email: 'ada@example.org' },
    lines: [
      { sku: 'TEA-01', quantity: 2, unitPrice: 3.5 },
      { sku: 'MUG-07', quantity: 1, unitPrice: 12.99 },
    ],
    ...overrides,
  };
}
