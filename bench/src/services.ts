// How each server under test is started: Docpipe's services from their dist/, the empty route,
// and the peers from the jars their installers cached.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KafkaLibrary } from '@docpipe/contract';
import { stackKafkaEnv } from '@docpipe/testing';
import type { BenchContext } from './context.js';
import { javaKafkaSecurity, propertiesLines } from './kafka-security.js';
import { answers, StartFailed, type StartOptions } from './processes.js';

export interface IngestOptions {
  readonly authMode: 'jwt' | 'none';
  /** Folder for a --cpu-prof profile; none when not profiling. */
  readonly cpuProfileDir?: string;
  /** The Kafka client library, set only where the libraries are compared. @default the service's own default */
  readonly kafkaLibrary?: KafkaLibrary;
  /** @default the auth mode's port (ingestPort), so that two auth modes run side by side */
  readonly port?: number;
}

/** KAFKA_LIBRARY when one is chosen, with a name that tells the servers apart in logs. */
function libraryEnv(kafkaLibrary: KafkaLibrary | undefined): { env: Record<string, string>; suffix: string } {
  return kafkaLibrary ? { env: { KAFKA_LIBRARY: kafkaLibrary }, suffix: `-${kafkaLibrary}` } : { env: {}, suffix: '' };
}

/** Ingest's port under an auth mode: the two run side by side while their rounds alternate. */
export function ingestPort(ctx: BenchContext, authMode: IngestOptions['authMode']): number {
  return authMode === 'jwt' ? ctx.ingestPort : ctx.noAuthIngestPort;
}

export function ingest(ctx: BenchContext, options: IngestOptions): StartOptions {
  const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const port = options.port ?? ingestPort(ctx, options.authMode);
  const library = libraryEnv(options.kafkaLibrary);
  return {
    name: `ingest (AUTH_MODE=${options.authMode}${options.kafkaLibrary ? `, KAFKA_LIBRARY=${options.kafkaLibrary}` : ''})`,
    command: process.execPath,
    args: [...profile, join(ctx.root, 'services/ingest/dist/server.js')],
    // warn: the per-request lines are off below debug anyway; this also keeps start-up chatter out.
    env: { ...ctx.serviceEnv, ...stackKafkaEnv('ingest', ctx.serviceEnv), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', AUTH_MODE: options.authMode, ...library.env },
    logFile: join(ctx.workDir, `ingest-${options.authMode}${library.suffix}.log`),
    ready: answers(`http://127.0.0.1:${port}/readyz`),
  };
}

/** The settings the store ceiling and the sink connector copy: handed over, so all three agree. */
export interface ConsumerOptions {
  readonly chunkSize: number;
  readonly partitionsConcurrently: number;
}

/** @param kafkaLibrary set only where the libraries are compared */
export function consumer(ctx: BenchContext, options: ConsumerOptions, kafkaLibrary?: KafkaLibrary): StartOptions {
  const library = libraryEnv(kafkaLibrary);
  return {
    name: kafkaLibrary ? `consumer (KAFKA_LIBRARY=${kafkaLibrary})` : 'consumer',
    command: process.execPath,
    args: [join(ctx.root, 'services/consumer/dist/server.js')],
    env: {
      ...ctx.serviceEnv,
      ...stackKafkaEnv('consumer', ctx.serviceEnv),
      METRICS_PORT: String(ctx.consumerMetricsPort),
      LOG_LEVEL: 'warn',
      CONSUMER_CHUNK_SIZE: String(options.chunkSize),
      CONSUMER_PARTITIONS_CONCURRENTLY: String(options.partitionsConcurrently),
      ...library.env,
    },
    logFile: join(ctx.workDir, `consumer${library.suffix}.log`),
    ready: answers(`http://127.0.0.1:${ctx.consumerMetricsPort}/readyz`),
  };
}

export function emptyRoute(ctx: BenchContext): StartOptions {
  return {
    name: 'empty route',
    command: process.execPath,
    args: [join(ctx.root, 'bench/dist/empty-route.js')],
    env: { PATH: ctx.serviceEnv['PATH'], PORT: String(ctx.emptyRoutePort) },
    logFile: join(ctx.workDir, 'empty-route.log'),
    ready: answers(`http://127.0.0.1:${ctx.emptyRoutePort}/healthz`),
  };
}

/** The JVM flags both peers get: the broker's collector, and a heap fit for this box. */
const JVM = ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', '-Djava.awt.headless=true'];

/** Copies a template from config/bench into the run folder, filling in @NAME@ placeholders. */
function render(ctx: BenchContext, template: string, values: Record<string, string | number>): string {
  const dest = join(ctx.workDir, template);
  const text = readFileSync(join(ctx.root, 'config/bench', template), 'utf8').replaceAll(/@([A-Z_]+)@/g, (_m, name: string) => {
    if (!(name in values)) throw new Error(`config/bench/${template}: no value for @${name}@`);
    return String(values[name]);
  });
  // It may hold the brokers' password.
  writeFileSync(dest, text, { mode: 0o600 });
  return dest;
}

export function bridge(ctx: BenchContext): StartOptions {
  const home = ctx.bridge.home as string;
  const security = javaKafkaSecurity(ctx.serviceEnv);
  const config = render(ctx, 'kafka-bridge.properties', { KAFKA_BROKERS: ctx.kafkaBrokers, KAFKA_SECURITY: propertiesLines(security, 'kafka.'), PORT: ctx.bridgePort });
  return {
    name: 'Kafka Bridge',
    command: 'java',
    args: [
      ...JVM,
      `-Dlog4j2.configurationFile=${join(ctx.root, 'config/bench/log4j2.xml')}`,
      `-Dvertx.cacheDirBase=${join(ctx.workDir, 'vertx-cache')}`,
      '-cp',
      `${home}/libs/*`,
      'io.strimzi.kafka.bridge.Application',
      `--config-file=${config}`,
    ],
    env: { PATH: ctx.serviceEnv['PATH'], HOME: ctx.serviceEnv['HOME'] },
    logFile: join(ctx.workDir, 'kafka-bridge.log'),
    ready: answers(`http://127.0.0.1:${ctx.bridgePort}/ready`),
  };
}

export const SINK_COLLECTION = 'sink_documents';
export const SINK_NAME = 'docpipe-sink';
/** Kafka Connect's consumer group for a sink connector: `connect-` and its name. */
export const SINK_GROUP = `connect-${SINK_NAME}`;

export function connect(ctx: BenchContext, options: { chunkSize: number; tasks: number }): StartOptions {
  const home = ctx.connector.home as string;
  const security = javaKafkaSecurity(ctx.serviceEnv);
  const worker = render(ctx, 'connect-standalone.properties', {
    KAFKA_BROKERS: ctx.kafkaBrokers,
    // The worker's own clients, then the sink task's consumer, which takes only `consumer.` settings.
    KAFKA_SECURITY: propertiesLines(security),
    CONSUMER_KAFKA_SECURITY: propertiesLines(security, 'consumer.'),
    PORT: ctx.connectPort,
    PLUGINS: join(home, 'plugins'),
    OFFSETS_FILE: join(ctx.workDir, 'connect.offsets'),
    CHUNK_SIZE: options.chunkSize,
  });
  const sink = render(ctx, 'mongo-sink.properties', {
    NAME: SINK_NAME,
    MONGODB_URI: ctx.mongoUri,
    DATABASE: ctx.database,
    COLLECTION: SINK_COLLECTION,
    CHUNK_SIZE: options.chunkSize,
    TASKS: options.tasks,
  });
  return {
    name: 'Kafka Connect',
    command: 'java',
    args: [
      ...JVM,
      `-Dlog4j2.configurationFile=${join(ctx.root, 'config/bench/log4j2.xml')}`,
      '-cp',
      `${home}/libs/*`,
      'org.apache.kafka.connect.cli.ConnectStandalone',
      worker,
      sink,
    ],
    env: { PATH: ctx.serviceEnv['PATH'], HOME: ctx.serviceEnv['HOME'] },
    logFile: join(ctx.workDir, 'kafka-connect.log'),
    ready: async () => {
      const res = await fetch(`http://127.0.0.1:${ctx.connectPort}/connectors/${SINK_NAME}/status`, { signal: AbortSignal.timeout(2000) });
      if (!res.ok) return false;
      const status = (await res.json()) as { connector?: { state?: string }; tasks?: Array<{ state?: string; trace?: string }> };
      const failed = status.tasks?.find((t) => t.state === 'FAILED');
      if (failed || status.connector?.state === 'FAILED') throw new StartFailed(`the sink connector failed: ${failed?.trace?.split('\n')[0] ?? 'connector FAILED'}`);
      return status.connector?.state === 'RUNNING' && (status.tasks?.length ?? 0) > 0 && status.tasks?.every((t) => t.state === 'RUNNING') === true;
    },
  };
}
