import { JobsEnv, MongoEnv, POSTGRES_APP_ROLE } from '@docpipe/contract';
import { loadEnv } from '@docpipe/runtime';
import { Type } from 'typebox';

/**
 * The jobs' variables: the contract's, and those of the store's lookup indexes
 * (docs/store-lookups.md). FERRETDB_POSTGRESQL_URL is FerretDB's own name for its
 * `-postgresql-url`; with any other store (mongod, FerretDB on SQLite) it is left unset.
 */
export const JobsConfigEnv = Type.Object({
  ...JobsEnv.properties,
  FERRETDB_POSTGRESQL_URL: Type.Optional(
    Type.String({
      minLength: 1,
      pattern: '^postgres(ql)?://',
      description: 'the PostgreSQL database FerretDB keeps the documents in; set, migrate and schedule give every collection an index for {_id} lookups',
    }),
  ),
  MONGODB_DATABASE: MongoEnv.MONGODB_DATABASE,
});

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
  const values = loadEnv(JobsConfigEnv, env);
  const password = values.POSTGRES_APP_PASSWORD;
  const storeUrl = values.FERRETDB_POSTGRESQL_URL;
  return {
    databaseUrl: values.DATABASE_URL,
    logLevel: values.LOG_LEVEL,
    appRole: password === undefined ? undefined : { name: POSTGRES_APP_ROLE, password },
    store: storeUrl === undefined ? undefined : { postgresUrl: storeUrl, database: values.MONGODB_DATABASE },
  };
}
