import { JobsEnv, POSTGRES_APP_ROLE } from '@docpipe/contract';
import { loadEnv } from '@docpipe/runtime';

export interface StoreConfig {
  /** Where FerretDB keeps its tables. */
  readonly postgresUrl: string;
  /** The MongoDB database the services use: FerretDB's schema of the same name. */
  readonly database: string;
}

export interface JobsConfig {
  readonly databaseUrl: string;
  readonly logLevel: string;
  /** What `migrate` sets up for the services to connect as; only the cluster gives it. */
  readonly appRole: { readonly name: string; readonly password: string } | undefined;
  /** FerretDB on PostgreSQL, when that is the store; undefined for any other. */
  readonly store: StoreConfig | undefined;
}

/** The only place the jobs read the environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): JobsConfig {
  const values = loadEnv(JobsEnv, env);
  const password = values.POSTGRES_APP_PASSWORD;
  const storeUrl = values.FERRETDB_POSTGRESQL_URL;
  return {
    databaseUrl: values.DATABASE_URL,
    logLevel: values.LOG_LEVEL,
    appRole: password === undefined ? undefined : { name: POSTGRES_APP_ROLE, password },
    store: storeUrl === undefined ? undefined : { postgresUrl: storeUrl, database: values.MONGODB_DATABASE },
  };
}
