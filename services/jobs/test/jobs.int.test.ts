import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/app.js';
import { deleteCountsBefore, runStart } from '../src/count-cleaner.js';
import { createTestSchema, type TestSchema } from './postgres-fixture.js';

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

async function run(args: string[], env: NodeJS.ProcessEnv, stopSignal?: () => Promise<unknown>) {
  const stdout = capture();
  const stderr = capture();
  const code = await runCli(args, { env: { LOG_LEVEL: 'info', ...env }, stdout: stdout.stream, stderr: stderr.stream, ...(stopSignal ? { stopSignal } : {}) });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

let schema: TestSchema;
beforeEach(async () => {
  schema = await createTestSchema();
});
afterEach(async () => {
  await schema.drop();
});

const MIGRATIONS = ['0001_initial-schema', '0002_app-role'];

const migrated = async () => expect((await run(['migrate'], { DATABASE_URL: schema.url })).code).toBe(0);

describe('migrate', () => {
  it('creates the schema once and is a no-op the second time', async () => {
    const first = await run(['migrate'], { DATABASE_URL: schema.url });
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain(`"applied":${JSON.stringify(MIGRATIONS)}`);

    const second = await run(['migrate'], { DATABASE_URL: schema.url });
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(second.stdout).toContain('"applied":[]');

    const { rows: tables } = await schema.pool.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1',
    );
    expect(tables.map((t) => t.table_name)).toEqual(['idempotency_keys', 'schema_migrations', 'users', 'users_count']);
    const { rows: indexes } = await schema.pool.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'idempotency_keys'",
    );
    expect(indexes.map((i) => i.indexname)).toContain('idempotency_keys_created_at_idx');
    const { rows: defaults } = await schema.pool.query<{ column_default: string }>(
      "SELECT column_default FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'users_count' AND column_name = 'inserted_at'",
    );
    expect(defaults[0]?.column_default).toBe('clock_timestamp()');
  });

  it('lets several runs start at once: they queue on the lock and the schema is applied once', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => run(['migrate'], { DATABASE_URL: schema.url })));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(results.filter((r) => r.stdout.includes(`"applied":${JSON.stringify(MIGRATIONS)}`))).toHaveLength(1);
    const { rows } = await schema.pool.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY id');
    expect(rows.map((r) => r.name)).toEqual(MIGRATIONS);
  });
});

describe('user-counter', () => {
  it('stores the number of users under a fresh operation id', async () => {
    await migrated();
    for (const username of ['ada', 'grace', 'linus']) {
      await schema.pool.query('INSERT INTO users (id, username, password_hash) VALUES ($1, $2, $3)', [randomUUID(), username, 'x']);
    }
    expect((await run(['user-counter'], { DATABASE_URL: schema.url })).code).toBe(0);
    expect((await run(['user-counter'], { DATABASE_URL: schema.url })).code).toBe(0);
    const { rows } = await schema.pool.query<{ operation_id: string; user_count: string; counted_at: Date }>(
      'SELECT operation_id, user_count, counted_at FROM users_count',
    );
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.operation_id)).size).toBe(2);
    expect(rows.map((r) => Number(r.user_count))).toEqual([3, 3]);
  });
});

describe('count-cleaner', () => {
  const insertCount = () =>
    schema.pool.query('INSERT INTO users_count (operation_id, user_count, counted_at) VALUES ($1, 1, now())', [randomUUID()]);

  it('deletes the rows stored before its start and keeps one stored after it', async () => {
    await migrated();
    await insertCount();
    await insertCount();
    const start = await runStart(schema.pool);
    // Stored while the cleaner runs: after its start, before its DELETE.
    await insertCount();
    expect(await deleteCountsBefore(schema.pool, start)).toBe(2);
    const { rows } = await schema.pool.query<{ late: boolean }>('SELECT inserted_at >= $1::timestamptz AS late FROM users_count', [start]);
    expect(rows).toEqual([{ late: true }]);
  });

  it('runs as a job and reports what it deleted', async () => {
    await migrated();
    await insertCount();
    const result = await run(['count-cleaner'], { DATABASE_URL: schema.url });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"deleted":1');
  });
});

describe('schedule', () => {
  it('starts both jobs and stops cleanly on the stop signal', async () => {
    const result = await run(['schedule'], { DATABASE_URL: schema.url }, () => new Promise((resolve) => setTimeout(resolve, 200)));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/"job":"user-counter".*"scheduled"/);
    expect(result.stdout).toMatch(/"job":"count-cleaner".*"scheduled"/);
    expect(result.stdout).toContain('stopping: waiting for running jobs');
  });
});

describe('failures', () => {
  it('exits 1 with one line naming the host, never the password, when the database is unreachable', async () => {
    const result = await run(['user-counter'], { DATABASE_URL: 'postgres://docpipe:Secret-Pw-123@127.0.0.1:1/docpipe' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^jobs user-counter failed: .*ECONNREFUSED.*\(database 127\.0\.0\.1:1\/docpipe\)\n$/);
    expect(result.stderr + result.stdout).not.toContain('Secret-Pw-123');
  });

  it('exits 1 naming the variable when DATABASE_URL is missing', async () => {
    const result = await run(['migrate'], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^jobs migrate: invalid configuration: .*DATABASE_URL/);
  });

  it('exits 1 when the schema is missing, e.g. user-counter before migrate', async () => {
    const result = await run(['user-counter'], { DATABASE_URL: schema.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/relation "users(_count)?" does not exist/);
  });
});
