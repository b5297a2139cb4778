// The application role on a server of its own (throwaway-postgres.ts): the services' statements
// work as it, everything else is refused, and only `migrate` needs more than it has.
import { randomUUID } from 'node:crypto';
import { POSTGRES_APP_ROLE } from '@docpipe/contract';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type ThrowawayPostgres } from './throwaway-postgres.js';
import { runJobs } from './run-cli.js';

const APP_PASSWORD = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718';
let server: ThrowawayPostgres;
let admin: pg.Pool;
beforeAll(async () => {
  server = await startPostgres();
  admin = new pg.Pool({ connectionString: server.url(server.superuser.name, server.superuser.password, 'postgres'), max: 1 });
  // As scripts/stack/up.sh makes it: a login that owns its database and may not create roles.
  await admin.query("CREATE ROLE stack LOGIN PASSWORD 'stack-password'");
  await admin.query('CREATE DATABASE stackdb OWNER stack');
  // As the postgres image makes it: the database of POSTGRES_DB, owned by the superuser.
  await admin.query('CREATE DATABASE docpipe');
}, 120_000);
afterAll(async () => {
  await admin?.end();
  server?.stop();
});

// In file order: the local stack's case needs a server where the role does not exist yet.
describe('migrate as a user that may not create roles (the local stack)', () => {
  const url = () => server.url('stack', 'stack-password', 'stackdb');

  it('applies every migration and leaves the role out', async () => {
    const result = await runJobs(['migrate'], { DATABASE_URL: url() });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('0002_app-role');
    const { rowCount } = await admin.query('SELECT FROM pg_roles WHERE rolname = $1', [POSTGRES_APP_ROLE]);
    expect(rowCount).toBe(0);
  });

  it('refuses, naming the role, to give a missing role a password', async () => {
    const result = await runJobs(['migrate'], { DATABASE_URL: url(), POSTGRES_APP_PASSWORD: APP_PASSWORD });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`role ${POSTGRES_APP_ROLE} does not exist`);
  });
});

describe('migrate as the superuser (the cluster), then the services as the application role', () => {
  const superuserUrl = () => server.url(server.superuser.name, server.superuser.password);
  const appUrl = () => server.url(POSTGRES_APP_ROLE, APP_PASSWORD);
  let app: pg.Pool;
  beforeAll(async () => {
    // Twice, and twice at once: the role is created once, and its password set in turns.
    expect((await runJobs(['migrate'], { DATABASE_URL: superuserUrl(), POSTGRES_APP_PASSWORD: APP_PASSWORD })).code).toBe(0);
    const again = await Promise.all([1, 2, 3].map(() => runJobs(['migrate'], { DATABASE_URL: superuserUrl(), POSTGRES_APP_PASSWORD: APP_PASSWORD })));
    expect(again.map((r) => [r.code, r.stderr])).toEqual([[0, ''], [0, ''], [0, '']]);
    app = new pg.Pool({ connectionString: appUrl(), max: 2 });
  }, 60_000);
  afterAll(async () => {
    await app?.end();
  });

  it('creates a role without privileges of its own', async () => {
    const { rows } = await admin.query('SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = $1', [POSTGRES_APP_ROLE]);
    expect(rows).toEqual([{ rolcanlogin: true, rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false }]);
  });

  it("runs ingest's statements", async () => {
    const id = randomUUID();
    await app.query('INSERT INTO users (id, username, password_hash, created_at) VALUES ($1, $2, $3, now()) RETURNING created_at', [id, `u-${id}`, 'x']);
    expect((await app.query('SELECT id, password_hash FROM users WHERE username = $1', [`u-${id}`])).rowCount).toBe(1);
    const key = [id, 'k1', 'h1'];
    await app.query('INSERT INTO idempotency_keys (owner, key, request_hash, created_at) VALUES ($1, $2, $3, now()) ON CONFLICT (owner, key) DO NOTHING', key);
    await app.query('INSERT INTO idempotency_keys (owner, key, request_hash, created_at) VALUES ($1, $2, $3, now()) ON CONFLICT (owner, key) DO NOTHING', key);
    expect((await app.query('SELECT request_hash FROM idempotency_keys WHERE owner = $1 AND key = $2', [id, 'k1'])).rows).toEqual([{ request_hash: 'h1' }]);
    await app.query('SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM users_count) AS user_counts');
  });

  it('runs user-counter and count-cleaner', async () => {
    expect(await runJobs(['user-counter'], { DATABASE_URL: appUrl() })).toMatchObject({ code: 0, stderr: '' });
    expect(await runJobs(['count-cleaner'], { DATABASE_URL: appUrl() })).toMatchObject({ code: 0, stderr: '' });
  });

  it.each([
    ['change a user', 'UPDATE users SET password_hash = password_hash'],
    ['delete a user', 'DELETE FROM users'],
    ['empty a table', 'TRUNCATE users_count'],
    ['read the migrations', 'SELECT * FROM schema_migrations'],
    ['create a table', 'CREATE TABLE intruder (id int)'],
    ['drop a table', 'DROP TABLE users'],
    ['migrate', 'ALTER TABLE users ADD COLUMN extra text'],
    ['grant itself more', `ALTER ROLE ${POSTGRES_APP_ROLE} CREATEROLE`],
  ])('may not %s', async (_, sql) => {
    await expect(app.query(sql)).rejects.toThrow(/permission denied|must be owner/);
  });
});
