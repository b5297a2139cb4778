// The periodic `jobs` commands as CronJobs that never overlap and never pile up.
import { Cron, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-34';
import type { EnvironmentConfig } from '../config.js';
import { envVariables, type Env } from './app.js';
import { APP_USER, appImage, partLabels, podSecurityContext, pullPolicy, resources, restrictedSecurityContext, tmpVolume } from './common.js';
import { AllowPolicy, type Labels } from './network.js';

export interface ScheduledJobProps {
  readonly env: EnvironmentConfig;
  /** The `jobs` command; also the CronJob's name. */
  readonly command: string;
  /** Standard five-field cron expression. */
  readonly schedule: string;
  /**
   * How late a run may start (after a controller outage) before it is skipped; the next one
   * catches up, since each run recomputes from the database.
   * @default half the period for every-minute jobs: 30 s; otherwise 5 minutes
   */
  readonly startingDeadline?: Duration;
  readonly variables: [string, Env][];
}

function parseSchedule(expression: string): Cron {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`cron schedule needs 5 fields, got "${expression}"`);
  const [minute, hour, day, month, weekDay] = fields;
  return Cron.schedule({ minute: minute!, hour: hour!, day: day!, month: month!, weekDay: weekDay! });
}

export class ScheduledJob extends Construct {
  public readonly labels: Labels;
  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    this.labels = partLabels('jobs', props.command);
    const schedule = parseSchedule(props.schedule);
    const cron = new kplus.CronJob(this, 'CronJob', {
      metadata: { name: props.command, labels: this.labels },
      schedule,
      // UTC whatever the controller's zone: "hourly" means the same instant in every cluster.
      timeZone: 'Etc/UTC',
      // A slow run must not overlap the next one: both would count and clean the same rows.
      concurrencyPolicy: kplus.ConcurrencyPolicy.FORBID,
      startingDeadline: props.startingDeadline ?? (props.schedule.startsWith('* ') ? Duration.seconds(30) : Duration.minutes(5)),
      successfulJobsRetained: 3,
      failedJobsRetained: 3,
      backoffLimit: 2,
      activeDeadline: Duration.minutes(props.schedule.startsWith('* ') ? 1 : 10),
      select: false,
      podMetadata: { labels: this.labels },
      securityContext: podSecurityContext(APP_USER),
      automountServiceAccountToken: false,
    });
    const container = cron.addContainer({
      name: props.command,
      image: appImage(props.env, 'jobs'),
      imagePullPolicy: pullPolicy(props.env),
      args: [props.command],
      envVariables: envVariables(this, props.variables),
      securityContext: restrictedSecurityContext(APP_USER),
      resources: resources(props.env.jobs.resources),
    });
    container.mount('/tmp', tmpVolume(this));
  }
}

export interface CronJobsProps {
  readonly env: EnvironmentConfig;
  readonly variables: [string, Env][];
  /** Postgres pods and port: the only thing the jobs talk to. */
  readonly database: { readonly pods: Labels; readonly port: number };
}

/** user-counter every minute, count-cleaner hourly, and their one network flow. */
export class CronJobs extends Construct {
  public readonly labels: Labels = partLabels('jobs');
  constructor(scope: Construct, id: string, props: CronJobsProps) {
    super(scope, id);
    new ScheduledJob(this, 'UserCounter', { env: props.env, command: 'user-counter', schedule: '* * * * *', variables: props.variables });
    new ScheduledJob(this, 'CountCleaner', { env: props.env, command: 'count-cleaner', schedule: '0 * * * *', variables: props.variables });
    new AllowPolicy(this, 'Policy', {
      name: 'jobs',
      podSelector: { 'app.kubernetes.io/name': 'jobs' },
      egress: [{ peers: [{ pods: props.database.pods }], ports: [{ port: props.database.port }] }],
    });
  }
}
