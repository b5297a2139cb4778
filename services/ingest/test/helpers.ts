import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { OutgoingRecord } from '@docpipe/kafka';
import { compilePipelineFile, type CompiledPipeline } from '@docpipe/pipeline';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { sampleInvoice, sampleOrder } from '@docpipe/testing';

export const SECRET_A = 'a'.repeat(32) + '-first-signing-secret';
export const SECRET_B = 'b'.repeat(32) + '-older-verify-secret';

/** The repository's pipelines: invoices (the default) and orders. */
export const PIPELINES_DIR = fileURLToPath(new URL('../../../pipelines', import.meta.url));

/** A pipeline of the repository, compiled as the service compiles it. */
export function repositoryPipeline(name: string): CompiledPipeline {
  return compilePipelineFile(join(PIPELINES_DIR, `${name}.yaml`));
}

/**
 * Env of an app whose servers are unreachable (port 1 refuses at once): enough for everything
 * that never touches Postgres, Kafka or MongoDB, and for the answers given when they are down.
 */
export function unreachableEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    KAFKA_BROKERS: '127.0.0.1:1',
    DATABASE_URL: 'postgres://docpipe:secret@127.0.0.1:1/docpipe',
    MONGODB_URI: 'mongodb://127.0.0.1:1/?directConnection=true',
    JWT_KEYS: `k2:${SECRET_A},k1:${SECRET_B}`,
    LOG_LEVEL: 'info',
    KAFKA_ACK_TIMEOUT_MS: '300',
    PIPELINES_DIR,
    ...overrides,
  };
}

export function testConfig(overrides: NodeJS.ProcessEnv = {}): Config {
  return loadConfig(unreachableEnv(overrides));
}

/** Collects the app's log lines so tests can check what was (not) logged. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(chunk.toString());
    done();
  }
  get text(): string {
    return this.lines.join('');
  }
}

export async function buildTestApp(overrides: NodeJS.ProcessEnv = {}, logs = new LogCapture()): Promise<FastifyInstance> {
  const app = await buildApp(testConfig(overrides), { logStream: logs });
  await app.ready();
  return app;
}

/** A valid invoice as the UCI data set has them. */
export const invoice = sampleInvoice;

/** A valid order of the orders pipeline, in pounds. */
export const order = (overrides: Record<string, unknown> = {}) => sampleOrder({ currency: 'GBP', ...overrides });

export interface Published {
  readonly topic: string;
  readonly records: readonly OutgoingRecord[];
}

/**
 * A stand-in for Kafka: every publish is acknowledged at once and kept, so a unit test sees the
 * records a request produced without a broker.
 */
export function acknowledgeKafka(app: FastifyInstance): Published[] {
  const published: Published[] = [];
  Object.assign(app.kafka, {
    publish: async (topic: string, records: readonly OutgoingRecord[]) => {
      if (records.length > 0) published.push({ topic, records });
    },
  });
  return published;
}
