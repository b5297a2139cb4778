// What the run ran on and with: the machine, and the version of every part measured.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, hostname, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchContext } from './context.js';
import type { Machine } from './results.js';

const run = promisify(execFile);

/** PRETTY_NAME of /etc/os-release, e.g. "Debian GNU/Linux 13 (trixie)". */
export function osName(osRelease: string): string {
  const match = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease);
  return match?.[1] ?? 'unknown';
}

export function machine(): Machine {
  let osRelease = '';
  try {
    osRelease = readFileSync('/etc/os-release', 'utf8');
  } catch {
    // Not Linux: the name stays unknown.
  }
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    os: osName(osRelease),
    kernel: release(),
    hostname: hostname(),
  };
}

/** `java -version` prints e.g. `openjdk version "17.0.15" 2025-04-15` on stderr. */
async function javaVersion(): Promise<string> {
  try {
    const { stderr } = await run('java', ['-version']);
    return /version "([^"]+)"/.exec(stderr)?.[1] ?? stderr.split('\n')[0] ?? 'unknown';
  } catch {
    return 'not found';
  }
}

/** The version in a dependency's package.json, as the services resolve it from the repository root. */
function packageVersion(root: string, name: string): string {
  try {
    const require = createRequire(join(root, 'services', 'ingest', 'package.json'));
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export async function versions(ctx: BenchContext): Promise<Record<string, string>> {
  return {
    node: process.version,
    java: await javaVersion(),
    kafka: ctx.kafkaVersion,
    ferretdb: ctx.ferretdbVersion,
    'strimzi-kafka-bridge': ctx.bridge.version ?? `unavailable: ${ctx.bridge.unavailable}`,
    'mongo-kafka-connect': ctx.connector.version ?? `unavailable: ${ctx.connector.unavailable}`,
    'kafka-connect': ctx.connector.version ? ctx.kafkaVersion : 'unavailable',
    fastify: packageVersion(ctx.root, 'fastify'),
    kafkajs: packageVersion(ctx.root, 'kafkajs'),
    'mongodb (Node driver)': packageVersion(ctx.root, 'mongodb'),
  };
}
