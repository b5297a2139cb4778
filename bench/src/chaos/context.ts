// What a chaos run works with: the stack profile's servers (bench/chaos.sh exports them, and so does
// scripts/test.sh for the short run in make test) and the folders it writes to.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceEnvOf } from '../context.js';
import type { StackSettings } from './stack.js';

export interface ChaosContext {
  readonly root: string;
  /** Logs and pipeline specs of this run. */
  readonly workDir: string;
  readonly resultsDir: string;
  /** What the services need from the stack (DATABASE_URL, JWT_KEYS...), handed on to them. */
  readonly serviceEnv: NodeJS.ProcessEnv;
  /** Every broker's normal listener: the consumer and the checker use these. */
  readonly kafkaBrokers: readonly string[];
  /**
   * The brokers' proxied listeners (`DOCPIPE_KAFKA_PROXY=1`): advertised port to the real one. A
   * proxy on each advertised port puts all of ingest's Kafka traffic through the fault proxies.
   */
  readonly kafkaProxyRoutes: ReadonlyMap<number, number>;
  readonly mongoUri: string;
  readonly database: string;
  readonly storePort: number;
  /** The profile's servers, for the faults that stop them; undefined where the run may not touch them. */
  readonly stack: StackSettings | undefined;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set: run chaos through 'make chaos' (bench/chaos.sh), or in make test`);
  return value;
}

/** `a=b,c=d` into pairs; an empty or missing value gives none. */
export function pairs(text: string | undefined): [string, string][] {
  if (!text) return [];
  return text.split(',').map((pair) => {
    const [key, value] = pair.split('=');
    if (!key || !value) throw new Error(`'${pair}' is not name=value`);
    return [key, value];
  });
}

export function readChaosContext(env: NodeJS.ProcessEnv, workDir: string, stackAllowed: boolean): ChaosContext {
  // bench/src/chaos or bench/dist/chaos: the repository is three folders up either way.
  const root = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');
  const routes = new Map(pairs(env['DOCPIPE_KAFKA_PROXY_ROUTES']).map(([from, to]) => [Number(from), Number(to)]));
  return {
    root,
    workDir,
    resultsDir: join(root, 'bench', 'results'),
    // Each scenario sets the services' brokers, store and pipelines folder over these.
    serviceEnv: serviceEnvOf(env),
    kafkaBrokers: required(env, 'KAFKA_BROKERS').split(','),
    kafkaProxyRoutes: routes,
    mongoUri: required(env, 'MONGODB_URI'),
    database: env['MONGODB_DATABASE'] ?? 'docpipe',
    storePort: Number(required(env, 'DOCPIPE_FERRETDB_PORT')),
    stack: stackAllowed
      ? {
          root,
          pidFiles: Object.fromEntries(pairs(required(env, 'CHAOS_PIDFILES'))),
          kafkaDataDirs: Object.fromEntries(pairs(required(env, 'CHAOS_KAFKA_DATA_DIRS'))),
          logFile: join(workDir, 'stack.log'),
        }
      : undefined,
  };
}
