import { ConfigError, loggerOptions } from '@docpipe/runtime';
import pino, { type Logger } from 'pino';
import type pg from 'pg';
import { parseArgs, type JobName } from './cli.js';
import { loadConfig, type JobsConfig } from './config.js';
import { cleanCounts } from './count-cleaner.js';
import { createPool, ExplainedFailure, explainFailure } from './database.js';
import { migrate } from './migrate.js';
import { nextStopSignal, startSchedule, type ScheduledJob } from './schedule.js';
import { indexStore } from './store-indexes.js';
import { countUsers } from './user-counter.js';

export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Resolves when the schedule should stop; the process' SIGINT/SIGTERM by default. */
  readonly stopSignal?: () => Promise<unknown>;
}

type OneShotJob = Exclude<JobName, 'schedule'>;

const ONE_SHOT: Record<OneShotJob, (pool: pg.Pool, logger: Logger, config: JobsConfig) => Promise<object>> = {
  async migrate(pool, logger, config) {
    // The advisory lock and the transaction belong to one session, so migrate holds one client.
    const client = await pool.connect();
    let result;
    try {
      result = await migrate(client, logger, { appRole: config.appRole });
    } finally {
      client.release();
    }
    // The collections that exist by now; those created later get theirs from the schedule.
    return config.store ? { ...result, lookupIndexes: await indexStore(config.store, 'docpipe-jobs-migrate') } : result;
  },
  'user-counter': (pool) => countUsers(pool),
  'count-cleaner': (pool) => cleanCounts(pool),
  'store-indexes': (_pool, _logger, config) => {
    if (!config.store) {
      return Promise.reject(
        new ExplainedFailure('neither FERRETDB_POSTGRESQL_URL nor FERRETDB_SQLITE_URL is set: only FerretDB needs these indexes (docs/store-lookups.md)'),
      );
    }
    return indexStore(config.store, 'docpipe-jobs-store-indexes');
  },
};

async function runSchedule(pool: pg.Pool, logger: Logger, config: JobsConfig, explain: (error: unknown) => string, stopSignal: () => Promise<unknown>) {
  const jobs: ScheduledJob[] = [
    { name: 'user-counter', pattern: '0 * * * * *', run: () => countUsers(pool) },
    { name: 'count-cleaner', pattern: '0 0 * * * *', run: () => cleanCounts(pool) },
  ];
  const { store } = config;
  // FerretDB creates a collection's table at its first write: a minute later it has its index.
  if (store) jobs.push({ name: 'store-indexes', pattern: '30 * * * * *', run: () => indexStore(store, 'docpipe-jobs-schedule') });
  const schedule = startSchedule(jobs, logger, explain);
  const signal = await stopSignal();
  logger.info({ signal }, 'stopping: waiting for running jobs');
  await schedule.stop();
}

/** Runs one command line and returns the exit code: 0 done, 1 failed, 2 usage. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args);
  if ('usage' in parsed) {
    (parsed.exitCode === 0 ? io.stdout : io.stderr).write(parsed.usage);
    return parsed.exitCode;
  }
  const { job } = parsed;
  let config;
  try {
    config = loadConfig(io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`jobs ${job}: ${error.message}\n`);
    return 1;
  }
  const explain = (error: unknown) => explainFailure(error, config.databaseUrl);
  const logger = pino(loggerOptions('jobs', config.logLevel), io.stdout);
  const pool = createPool(config.databaseUrl, `docpipe-jobs-${job}`);
  // An idle connection dropped by the server (restart, failover) must not crash the scheduler;
  // the next run reconnects.
  pool.on('error', (error) => logger.warn({ job }, `idle database connection lost: ${explain(error)}`));
  try {
    if (job === 'schedule') {
      await runSchedule(pool, logger, config, explain, io.stopSignal ?? nextStopSignal);
    } else {
      const started = performance.now();
      const fields = await ONE_SHOT[job](pool, logger, config);
      logger.info({ job, durationMs: Math.round(performance.now() - started), ...fields }, `${job} done`);
    }
    return 0;
  } catch (error) {
    io.stderr.write(`jobs ${job} failed: ${explain(error)}\n`);
    return 1;
  } finally {
    await pool.end();
  }
}
