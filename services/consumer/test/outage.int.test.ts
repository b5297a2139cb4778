import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startConsumerService, type ConsumerService } from '../src/app.js';
import { freePort, waitFor } from '@docpipe/testing';
import { createSandbox, documentMessages, metric, scrape, type Sandbox } from './stack.js';

/**
 * A FerretDB of the test's own (the binary the stack runs, on a free port, data in a temporary
 * folder), so the test can kill the store under a running consumer without touching the profile.
 */
class OwnFerretDB {
  readonly #binary = join(process.env['DOCPIPE_CACHE'] ?? fileURLToPath(new URL('../../../.cache', import.meta.url)), 'bin', 'ferretdb');
  readonly #dir = mkdtempSync(join(tmpdir(), 'consumer-outage-'));
  #process: ChildProcess | undefined;
  port = 0;

  get uri() {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  async start() {
    if (!existsSync(this.#binary)) throw new Error(`${this.#binary} is missing: run scripts/install/ferretdb.sh (scripts/stack/up.sh does)`);
    this.port ||= await freePort();
    this.#process = spawn(this.#binary, ['-listen-addr', `127.0.0.1:${this.port}`, '-handler', 'sqlite', '-sqlite-url', `file:${this.#dir}/`], { stdio: 'ignore' });
    await waitFor('FerretDB to listen', () => isListening(this.port), 20_000);
  }

  async kill() {
    const child = this.#process;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  }

  async dispose() {
    await this.kill();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const logger = pino({ level: 'silent' });
let sandbox: Sandbox | undefined;
let ferretdb: OwnFerretDB | undefined;
let services: ConsumerService[] = [];

afterEach(async () => {
  await Promise.all(services.map((s) => s.stop()));
  services = [];
  await sandbox?.dispose();
  await ferretdb?.dispose();
  sandbox = ferretdb = undefined;
});

describe('consumer while MongoDB is down', () => {
  it('retries until the store is back, skipping nothing', async () => {
    const box = (sandbox = await createSandbox('outage'));
    const ferret = (ferretdb = new OwnFerretDB());
    await ferret.start();
    const total = 8_000;
    await box.produce(box.topics.documents, documentMessages(total, 'o'));
    const service = await startConsumerService(box.config({ mongodb: { uri: ferret.uri, database: 'docpipe' }, chunkSize: 200 }), logger);
    services.push(service);
    const count = async () => {
      const { text } = await scrape(service.metricsPort);
      return metric(text, 'consumer_documents_stored_total', `collection="${box.collections.documents}"`) + metric(text, 'consumer_duplicates_total');
    };
    await waitFor('a first part stored', async () => (await count()) >= 1_000);

    await ferret.kill();
    await waitFor('failed writes being retried', async () => metric((await scrape(service.metricsPort)).text, 'consumer_write_retries_total') >= 2, 30_000);
    expect((await scrape(service.metricsPort, '/readyz')).status).toBe(503);
    const storedWhileDown = await count();

    await ferret.start();
    await waitFor('every document stored', async () => (await count()) >= total, 90_000);
    const mongo = await new MongoClient(ferret.uri).connect();
    try {
      expect(await mongo.db('docpipe').collection(box.collections.documents).countDocuments()).toBe(total);
    } finally {
      await mongo.close();
    }
    expect(storedWhileDown).toBeLessThan(total);
    await waitFor('ready again', async () => (await scrape(service.metricsPort, '/readyz')).status === 200, 15_000);
  }, 180_000);

  it('gives up a write that keeps failing when stopped, leaving its offsets for the next owner', async () => {
    const box = (sandbox = await createSandbox('stop-outage'));
    const ferret = (ferretdb = new OwnFerretDB());
    await ferret.start();
    const total = 5_000;
    await box.produce(box.topics.documents, documentMessages(total, 's'));
    const config = box.config({ mongodb: { uri: ferret.uri, database: 'docpipe' }, chunkSize: 200, stopTimeoutMs: 2_000 });
    const first = await startConsumerService(config, logger);
    await waitFor('writes started', async () => metric((await scrape(first.metricsPort)).text, 'consumer_documents_stored_total', `collection="${box.collections.documents}"`) > 0);
    await ferret.kill();
    await waitFor('failed writes being retried', async () => metric((await scrape(first.metricsPort)).text, 'consumer_write_retries_total') >= 1, 30_000);

    const stopping = performance.now();
    await first.stop();
    // The deadline, plus at most one write attempt in flight (server selection gives up after 5 s).
    expect(performance.now() - stopping).toBeLessThan(2_000 + 5_000 + 3_000);
    const committed = await box.committed(box.topics.documents);
    expect(committed).toBeLessThan(total);

    await ferret.start();
    services.push(await startConsumerService(config, logger));
    const mongo = await new MongoClient(ferret.uri).connect();
    try {
      await waitFor('every document stored', async () => (await mongo.db('docpipe').collection(box.collections.documents).countDocuments()) === total, 90_000);
    } finally {
      await mongo.close();
    }
  }, 180_000);
});
