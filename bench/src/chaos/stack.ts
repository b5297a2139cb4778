// The stack's own servers as a scenario sees them: found by their pid files, signalled with all
// their children (Postgres is a postmaster and its backends), and brought back by the stack's own
// up.sh, which starts whichever of them is missing and leaves the rest alone.
import { execFile } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface StackSettings {
  readonly root: string;
  /** Server name (`kafka-1`, `ferretdb`, `postgres`...) to the file holding its pid on its first line. */
  readonly pidFiles: Readonly<Record<string, string>>;
  /** Broker node id to its log directory (a tmpfs when the profile asked for one). */
  readonly kafkaDataDirs: Readonly<Record<string, string>>;
  /** Where up.sh's output goes, so a restart that fails can be explained. */
  readonly logFile: string;
}

export class Stack {
  constructor(readonly settings: StackSettings) {}

  servers(): string[] {
    return Object.keys(this.settings.pidFiles);
  }

  pid(server: string): number | undefined {
    const file = this.settings.pidFiles[server];
    if (file === undefined) throw new Error(`no pid file is known for ${server}; known: ${this.servers().join(', ')}`);
    try {
      const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  running(server: string): boolean {
    return this.pid(server) !== undefined;
  }

  /** Sends `signal` to the server and every process under it; false when it was not running. */
  signal(server: string, signal: NodeJS.Signals): boolean {
    const pid = this.pid(server);
    if (pid === undefined) return false;
    for (const each of [pid, ...descendants(pid)]) {
      try {
        process.kill(each, signal);
      } catch {
        // Gone meanwhile.
      }
    }
    return true;
  }

  /** SIGKILL, then wait until the process is gone. */
  async kill(server: string): Promise<void> {
    const pid = this.pid(server);
    this.signal(server, 'SIGKILL');
    while (pid !== undefined && isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** Starts every server of the profile that is not running (scripts/stack/up.sh). */
  async restart(): Promise<void> {
    try {
      const { stdout, stderr } = await run('bash', [`${this.settings.root}/scripts/stack/up.sh`], { env: process.env, maxBuffer: 16 * 1024 * 1024 });
      appendFileSync(this.settings.logFile, stdout + stderr);
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      appendFileSync(this.settings.logFile, stdout + stderr);
      throw new Error(`scripts/stack/up.sh failed; see ${this.settings.logFile}:\n${stderr.split('\n').slice(-15).join('\n')}`);
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    // A zombie still answers signal 0; its state in /proc says it is dead.
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Every process whose ancestry reaches `pid`, from /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may hold spaces and parentheses: the parent pid follows its last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Exited while listing.
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}
