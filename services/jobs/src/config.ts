import { JobsEnv } from '@docpipe/contract';
import { loadEnv } from '@docpipe/runtime';

export interface JobsConfig {
  readonly databaseUrl: string;
  readonly logLevel: string;
}

/** The only place the jobs read the environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): JobsConfig {
  const values = loadEnv(JobsEnv, env);
  return { databaseUrl: values.DATABASE_URL, logLevel: values.LOG_LEVEL };
}
