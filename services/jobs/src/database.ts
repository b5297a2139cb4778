import pg from 'pg';
import { parse } from 'pg-connection-string';

/** What a job needs from Postgres: a pool and a single client both qualify. */
export type Queryable = Pick<pg.Pool, 'query'>;

/**
 * A small pool: the jobs run one statement at a time. Connecting gives up after a few seconds so an
 * unreachable database fails the run instead of hanging the CronJob's pod.
 */
export function createPool(databaseUrl: string, applicationName: string): pg.Pool {
  return new pg.Pool({
    connectionString: databaseUrl,
    max: 2,
    connectionTimeoutMillis: 5_000,
    application_name: applicationName,
  });
}

/** `host:port/database` of a connection string: enough to find the server, never the password. */
export function describeTarget(databaseUrl: string): string {
  try {
    const { host, port, database } = parse(databaseUrl);
    return `${host ?? 'localhost'}:${port ?? 5432}/${database ?? ''}`;
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

function messageOf(error: unknown): string {
  // Node reports a refused connection to a name with several addresses (localhost: ::1 and
  // 127.0.0.1) as an AggregateError whose own message is empty.
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map(messageOf))].join('; ');
  }
  if (error instanceof Error) return error.message || (error as NodeJS.ErrnoException).code || error.name;
  return String(error);
}

/** A failure already explained by explainFailure, against another database than the job's own. */
export class ExplainedFailure extends Error {
  override readonly name = 'ExplainedFailure';
}

/**
 * One line explaining why a job failed, naming the database it used. The password is scrubbed in
 * case a driver or server ever echoes the connection string back.
 */
export function explainFailure(error: unknown, databaseUrl: string): string {
  if (error instanceof ExplainedFailure) return error.message;
  let text = `${messageOf(error)} (database ${describeTarget(databaseUrl)})`.replace(/\s*\n\s*/g, ' ');
  try {
    const { password } = parse(databaseUrl);
    if (password) text = text.replaceAll(password, '***');
  } catch {
    // An unparsable URL was never sent anywhere, so nothing can echo its password.
  }
  return text;
}
