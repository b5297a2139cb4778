import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PIPELINES_DIR } from './helpers.js';

const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url));

/** Runs src/server.ts with exactly this env (nothing inherited but PATH). */
function start(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', SERVER], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('server start-up', () => {
  it('exits 1 naming every missing variable', () => {
    const run = start({});
    expect(run.status).toBe(1);
    for (const name of ['KAFKA_BROKERS', 'DATABASE_URL', 'MONGODB_URI', 'JWT_KEYS', 'PIPELINES_DIR']) expect(run.stderr).toContain(name);
  });

  it('exits 1 on a weak JWT secret without printing it', () => {
    const run = start({
      KAFKA_BROKERS: '127.0.0.1:1',
      DATABASE_URL: 'postgres://127.0.0.1:1/x',
      MONGODB_URI: 'mongodb://127.0.0.1:1',
      PIPELINES_DIR,
      JWT_KEYS: 'k:tooshort',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/JWT_KEYS secret of kid "k"/);
    expect(run.stderr).not.toContain('tooshort');
  });
});
