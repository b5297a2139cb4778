import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@docpipe/testing';

export interface ThrowawayPostgres {
  /** A connection string for `user` to `database` (default docpipe). */
  url(user: string, password: string, database?: string): string;
  readonly superuser: { readonly name: string; readonly password: string };
  stop(): void;
}

/** The newest server of the Debian packages, as scripts/lib.sh finds it. */
function binDir(): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b));
  if (versions.length === 0) throw new Error('no PostgreSQL server in /usr/lib/postgresql: run scripts/install/postgres.sh');
  return join('/usr/lib/postgresql', versions.at(-1)!, 'bin');
}

/**
 * A server of its own, for what the local stack cannot show: roles and privileges need a
 * superuser, and the stack's user is none. Postgres refuses to run as root, so root runs it as
 * the `postgres` system user, as the stack does.
 */
export async function startPostgres(): Promise<ThrowawayPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'docpipe-jobs-pg-'));
  const asServer = userInfo().uid === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  if (asServer.length) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })));
  const run = (cmd: string, ...args: string[]) => {
    const [file, ...rest] = [...asServer, join(bin, cmd), ...args];
    const r = spawnSync(file!, rest, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  const data = join(dir, 'data');
  const superuser = { name: 'postgres', password: 'throwaway-superuser' };
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${superuser.password}\n`, { mode: 0o644 });
  run('initdb', '-D', data, '-U', superuser.name, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--no-sync');
  const port = await freePort();
  run('pg_ctl', '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start');
  const url = (user: string, password: string, database = 'docpipe') => `postgres://${user}:${password}@127.0.0.1:${port}/${database}`;
  return {
    url,
    superuser,
    stop() {
      try {
        run('pg_ctl', '-D', data, '-m', 'immediate', '-w', 'stop');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
