/**
 * Holds SOAK_RATE documents/s (default 200) for SOAK_DURATION (default 30m) to show what only time
 * brings out: memory growth, consumer lag building up, compaction pauses. The documents cycle
 * through the first POOL documents of the seed (default 10000). The token must outlive the run
 * (JWT_TTL_SECONDS, 1 h by default): setup() refuses a longer one.
 */
import exec from 'k6/execution';
import { assertTokenLasts, login, type SetupData } from './lib/auth.ts';
import { durationEnv, intEnv, numberEnv } from './lib/config.ts';
import { documentSet, postDocument } from './lib/documents.ts';
import { outcomeThresholds } from './lib/metrics.ts';
import { SUMMARY_TREND_STATS, summaryHandler } from './lib/summary.ts';

const rate = intEnv('SOAK_RATE', 200);
const duration = durationEnv('SOAK_DURATION', '30m');
const documents = documentSet(intEnv('POOL', 10_000));

export const options = {
  scenarios: {
    soak: {
      executor: 'constant-arrival-rate',
      rate,
      timeUnit: '1s',
      duration: duration.text,
      preAllocatedVUs: intEnv('PRE_VUS', Math.max(10, Math.ceil(rate / 20))),
      maxVUs: intEnv('MAX_VUS', Math.max(50, Math.ceil(rate / 4))),
    },
  },
  thresholds: {
    ...outcomeThresholds(),
    dropped_iterations: ['count==0'],
    'http_req_duration{endpoint:single}': [`p(95)<${numberEnv('P95_MS', 500)}`, `p(99)<${numberEnv('P99_MS', 1000)}`],
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup(): SetupData {
  const data = login();
  assertTokenLasts(data, duration.seconds + 30);
  return data;
}

export default function (data: SetupData): void {
  postDocument(data.token, documents.at(exec.scenario.iterationInTest % documents.length));
}

export const handleSummary = summaryHandler('soak');
