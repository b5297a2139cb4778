import { ferretdbSqliteDirectory, JobsEnv, POSTGRES_APP_ROLE } from '@docpipe/contract';
import { ConfigError, loadEnv } from '@docpipe/runtime';

/** FerretDB, on the backend whose files or database the jobs index (docs/store-lookups.md). */
export type StoreConfig =
  | {
      readonly backend: 'postgresql';
      /** Where FerretDB keeps its tables. */
      readonly postgresUrl: string;
      /** The MongoDB database the services use: FerretDB's schema of the same name. */
      readonly database: string;
    }
  | {
      readonly backend: 'sqlite';
      /** The folder of FerretDB's SQLite files: one file per MongoDB database. */
      readonly directory: string;
      readonly database: string;
    };

export interface JobsConfig {
  readonly databaseUrl: string;
  readonly logLevel: string;
  /** What `migrate` sets up for the services to connect as; only the cluster gives it. */
  readonly appRole: { readonly name: string; readonly password: string } | undefined;
  /** FerretDB, when that is the store and its backend is reachable; undefined for any other. */
  readonly store: StoreConfig | undefined;
}

/** The only place the jobs read the environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): JobsConfig {
  const values = loadEnv(JobsEnv, env);
  const password = values.POSTGRES_APP_PASSWORD;
  const { FERRETDB_POSTGRESQL_URL: postgresUrl, FERRETDB_SQLITE_URL: sqliteUrl, MONGODB_DATABASE: database } = values;
  if (postgresUrl !== undefined && sqliteUrl !== undefined) {
    throw new ConfigError('FERRETDB_POSTGRESQL_URL and FERRETDB_SQLITE_URL are both set: FerretDB runs on one backend, set the one it uses');
  }
  let store: StoreConfig | undefined;
  if (postgresUrl !== undefined) store = { backend: 'postgresql', postgresUrl, database };
  if (sqliteUrl !== undefined) store = { backend: 'sqlite', directory: ferretdbSqliteDirectory(sqliteUrl), database };
  return {
    databaseUrl: values.DATABASE_URL,
    logLevel: values.LOG_LEVEL,
    appRole: password === undefined ? undefined : { name: POSTGRES_APP_ROLE, password },
    store,
  };
}
