import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';

export const SECRET_A = 'a'.repeat(32) + '-first-signing-secret';
export const SECRET_B = 'b'.repeat(32) + '-older-verify-secret';

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
export function invoice(overrides: Record<string, unknown> = {}): Record<string, unknown> {
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
