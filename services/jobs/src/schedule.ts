import { Cron } from 'croner';
import type { Logger } from 'pino';

export interface ScheduledJob {
  readonly name: string;
  /** A croner pattern, in UTC. */
  readonly pattern: string;
  /** Resolves with fields worth logging about the run. */
  readonly run: () => Promise<object>;
}

export interface Schedule {
  /** Stops triggering new runs and resolves once the runs in progress have finished. */
  stop(): Promise<void>;
}

/**
 * Runs each job on its pattern. A failed run is logged and the schedule goes on, like a CronJob's
 * next run would; a run still going when the next is due is skipped rather than stacked.
 */
export function startSchedule(jobs: readonly ScheduledJob[], logger: Logger, explain: (error: unknown) => string): Schedule {
  const running = new Set<Promise<void>>();
  const crons = jobs.map(
    (job) =>
      new Cron(job.pattern, { name: job.name, timezone: 'UTC', protect: () => logger.warn({ job: job.name }, 'previous run still going: skipped') }, () => {
        const started = performance.now();
        const run = job
          .run()
          .then(
            (fields) => logger.info({ job: job.name, durationMs: Math.round(performance.now() - started), ...fields }, `${job.name} done`),
            (error: unknown) => logger.error({ job: job.name }, `${job.name} failed: ${explain(error)}`),
          )
          .finally(() => running.delete(run));
        running.add(run);
        return run;
      }),
  );
  for (const cron of crons) logger.info({ job: cron.name, next: cron.nextRun()?.toISOString() }, 'scheduled');
  return {
    async stop() {
      for (const cron of crons) cron.stop();
      await Promise.allSettled([...running]);
    },
  };
}

/** Resolves with the first SIGINT or SIGTERM. */
export function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  });
}
