// Docpipe's own services in a scenario: started from their dist/ like in `make local`, and
// killed, paused, resumed and started again by the faults.
import { join } from 'node:path';
import { answers, startProcess, type Started } from '../processes.js';

export interface ServiceSettings {
  readonly root: string;
  readonly part: 'ingest' | 'consumer';
  /** A name for logs and messages (`consumer`, `rival consumer`). */
  readonly name: string;
  /** The port whose /readyz says the service is ready: ingest's API, the consumer's metrics. */
  readonly port: number;
  readonly env: NodeJS.ProcessEnv;
  readonly logFile: string;
}

export class Service {
  #process: Started | undefined;
  #paused = false;

  constructor(readonly settings: ServiceSettings) {}

  get running(): boolean {
    return this.#process !== undefined;
  }

  async start(): Promise<void> {
    if (this.#process !== undefined) throw new Error(`${this.settings.name} is already running`);
    const { root, part, name, port, env, logFile } = this.settings;
    const portVariable = part === 'ingest' ? 'PORT' : 'METRICS_PORT';
    this.#process = await startProcess({
      name,
      command: process.execPath,
      args: [join(root, `services/${part}/dist/server.js`)],
      env: { ...env, [portVariable]: String(port), LOG_LEVEL: 'warn' },
      logFile,
      ready: answers(`http://127.0.0.1:${port}/readyz`),
    });
  }

  async kill(): Promise<void> {
    const started = this.#take();
    process.kill(started.pid, 'SIGKILL');
    await started.stop();
  }

  pause(): void {
    process.kill(this.#current().pid, 'SIGSTOP');
    this.#paused = true;
  }

  resume(): void {
    process.kill(this.#current().pid, 'SIGCONT');
    this.#paused = false;
  }

  /** A graceful stop (SIGTERM, as in a rollout); resumes a paused process first so it can hear it. */
  async stop(): Promise<void> {
    if (this.#process === undefined) return;
    if (this.#paused) this.resume();
    await this.#take().stop(30_000);
  }

  #current(): Started {
    if (this.#process === undefined) throw new Error(`${this.settings.name} is not running`);
    return this.#process;
  }

  #take(): Started {
    const started = this.#current();
    this.#process = undefined;
    this.#paused = false;
    return started;
  }
}
