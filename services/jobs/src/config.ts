import { JobsEnv, POSTGRES_APP_ROLE } from '@docpipe/contract';
import { loadEnv } from '@docpipe/runtime';

export interface JobsConfig {
  readonly databaseUrl: string;
  readonly logLevel: string;
  /** What `migrate` sets up for the services to connect as; only the cluster gives it. */
  readonly appRole: { readonly name: string; readonly password: string } | undefined;
}

/** The only place the jobs read the environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): JobsConfig {
  const values = loadEnv(JobsEnv, env);
  const password = values.POSTGRES_APP_PASSWORD;
  return {
    databaseUrl: values.DATABASE_URL,
    logLevel: values.LOG_LEVEL,
    appRole: password === undefined ? undefined : { name: POSTGRES_APP_ROLE, password },
  };
}
