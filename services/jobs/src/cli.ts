export const JOBS = ['migrate', 'user-counter', 'count-cleaner', 'store-indexes', 'schedule'] as const;
export type JobName = (typeof JOBS)[number];

export const USAGE = `usage: jobs <job>

jobs:
  migrate        create or update the Postgres schema (versioned, safe to run concurrently)
  user-counter   store the current number of users in users_count
  count-cleaner  delete the users_count rows stored before this run began
  store-indexes  give every collection of FerretDB the index its {_id} lookups need
  schedule       local runner: user-counter every minute, count-cleaner every hour,
                 store-indexes every minute (with FERRETDB_POSTGRESQL_URL or FERRETDB_SQLITE_URL)

env: DATABASE_URL (required), LOG_LEVEL (default info),
     POSTGRES_APP_PASSWORD (migrate: the application role's password; unset, the role is left as it is),
     FERRETDB_POSTGRESQL_URL (FerretDB's own PostgreSQL database; set, migrate also runs store-indexes),
     FERRETDB_SQLITE_URL (the file:/ folder of FerretDB's SQLite files; the same, for that backend),
     MONGODB_DATABASE (default docpipe: the database whose collections store-indexes indexes)
`;

export type ParsedArgs = { readonly job: JobName } | { readonly usage: string; readonly exitCode: 0 | 2 };

/** Reads the command line; anything but exactly one known job name is a usage error (exit 2). */
export function parseArgs(args: readonly string[]): ParsedArgs {
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) return { usage: USAGE, exitCode: 0 };
  const [name] = args;
  if (args.length === 1 && JOBS.includes(name as JobName)) return { job: name as JobName };
  const problem = args.length === 0 ? 'no job given' : args.length > 1 ? `expected one job, got ${args.length} arguments` : `unknown job '${name}'`;
  return { usage: `${problem}\n${USAGE}`, exitCode: 2 };
}
