import { Writable } from 'node:stream';
import { runCli } from '../src/app.js';

/** Runs the jobs' command line in this process, as its container would, and keeps what it wrote. */
export async function runJobs(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) => new Writable({ write: (chunk, _e, done) => (append(String(chunk)), done()) });
  const code = await runCli(args, { env: { LOG_LEVEL: 'info', ...env }, stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) });
  return { code, stdout: out, stderr: err };
}
