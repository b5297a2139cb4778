// Where the run happens: the bench profile's servers and ports, the installed peers, the folders.
// bench/run.sh exports all of it; main.js is not meant to be started any other way.
import { join } from 'node:path';
import { STACK_KAFKA_CREDENTIALS } from '@docpipe/testing';

export interface Peer {
  readonly version?: string;
  readonly home?: string;
  /** Why the peer cannot run (the installer's error); set instead of version. */
  readonly unavailable?: string;
}

export interface BenchContext {
  readonly root: string;
  /** Logs, payload files and profiles of this run, inside the profile's folder. */
  readonly workDir: string;
  readonly resultsDir: string;
  readonly kafkaHome: string;
  readonly kafkaVersion: string;
  readonly ferretdbVersion: string;
  readonly kafkaBrokers: string;
  readonly documentsPartitions: number;
  readonly mongoUri: string;
  readonly database: string;
  readonly ingestPort: number;
  readonly consumerMetricsPort: number;
  /** Beside ingest's port: the empty route, the bridge, Kafka Connect's REST API. */
  readonly emptyRoutePort: number;
  readonly bridgePort: number;
  readonly connectPort: number;
  /** ingest under AUTH_MODE=none, which runs beside the JWT one while their rounds alternate. */
  readonly noAuthIngestPort: number;
  /** What the services need from the stack (DATABASE_URL, JWT_KEYS...), handed on to them. */
  readonly serviceEnv: NodeJS.ProcessEnv;
  readonly bridge: Peer;
  readonly connector: Peer;
  /** FerretDB's -sqlite-url, when the stack's store runs on SQLite (the growth phase writes its files). */
  readonly ferretdbSqliteUrl: string | undefined;
  /** The stack servers' pid files by name (Kafka, FerretDB, Postgres, Prometheus, the lag exporter): their CPU is the benchmark's. */
  readonly stackPidFiles: Readonly<Record<string, string>>;
}

/** What Docpipe's services need from the stack (DATABASE_URL, JWT_KEYS...), taken from `env`. */
export function serviceEnvOf(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const pass = [
    ...['PATH', 'HOME', 'NODE_OPTIONS', 'KAFKAJS_NO_PARTITIONER_WARNING', 'KAFKA_BROKERS', 'MONGODB_URI', 'MONGODB_DATABASE', 'DATABASE_URL', 'JWT_KEYS', 'PIPELINES_DIR', 'KAFKA_CREATE_TOPICS'],
    // Each service picks its own Kafka user from them (stackKafkaEnv), and KAFKA_LIBRARY when set:
    // a whole run on one client library.
    ...STACK_KAFKA_CREDENTIALS,
    'KAFKA_LIBRARY',
  ];
  return Object.fromEntries(pass.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]])));
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set: start the benchmark with 'make bench' (bench/run.sh)`);
  return value;
}

function peer(env: NodeJS.ProcessEnv, prefix: string, home: string): Peer {
  const version = env[`${prefix}_VERSION`];
  if (version) return { version, home };
  return { unavailable: env[`${prefix}_UNAVAILABLE`] || 'not installed' };
}

export function readContext(env: NodeJS.ProcessEnv = process.env): BenchContext {
  const root = required(env, 'BENCH_ROOT');
  const ingestPort = Number(required(env, 'PORT'));
  return {
    root,
    workDir: join(required(env, 'BENCH_DIR'), 'run'),
    resultsDir: join(root, 'bench', 'results'),
    kafkaHome: required(env, 'BENCH_KAFKA_HOME'),
    kafkaVersion: required(env, 'KAFKA_VERSION'),
    ferretdbVersion: required(env, 'FERRETDB_VERSION'),
    kafkaBrokers: required(env, 'KAFKA_BROKERS'),
    documentsPartitions: Number(env['DOCUMENTS_PARTITIONS'] ?? 6),
    mongoUri: required(env, 'MONGODB_URI'),
    database: env['MONGODB_DATABASE'] ?? 'docpipe',
    ingestPort,
    consumerMetricsPort: Number(required(env, 'METRICS_PORT')),
    emptyRoutePort: ingestPort + 1,
    bridgePort: ingestPort + 2,
    connectPort: ingestPort + 3,
    noAuthIngestPort: ingestPort + 4,
    serviceEnv: serviceEnvOf(env),
    ferretdbSqliteUrl: env['FERRETDB_SQLITE_URL'],
    bridge: peer(env, 'BENCH_BRIDGE', required(env, 'BENCH_BRIDGE_HOME')),
    connector: peer(env, 'BENCH_CONNECTOR', required(env, 'BENCH_CONNECT_HOME')),
    stackPidFiles: {
      kafka: join(required(env, 'BENCH_DIR'), 'kafka/kafka.pid'),
      ferretdb: join(required(env, 'BENCH_DIR'), 'ferretdb/ferretdb.pid'),
      prometheus: join(required(env, 'BENCH_DIR'), 'prometheus/prometheus.pid'),
      'lag exporter': join(required(env, 'BENCH_DIR'), 'lag-exporter.pid'),
      // The postmaster only: the backends serving ingest's connections count once they exit.
      postgres: join(required(env, 'BENCH_DIR'), 'postgres/data/postmaster.pid'),
    },
  };
}
