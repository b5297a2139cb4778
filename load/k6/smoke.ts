/**
 * A quick check that the pipeline answers as it should: one VU sends the first SMOKE_COUNT
 * documents of the seed (default 50, with the data set's share of invalid ones) one by one.
 */
import exec from 'k6/execution';
import { login, type SetupData } from './lib/auth.ts';
import { intEnv, numberEnv } from './lib/config.ts';
import { documentSet, postDocument } from './lib/documents.ts';
import { outcomeThresholds } from './lib/metrics.ts';
import { SUMMARY_TREND_STATS, summaryHandler } from './lib/summary.ts';

const documents = documentSet(intEnv('SMOKE_COUNT', 50));

export const options = {
  scenarios: { smoke: { executor: 'shared-iterations', vus: 1, iterations: documents.length, maxDuration: '2m' } },
  thresholds: {
    ...outcomeThresholds(documents),
    'http_req_duration{endpoint:single}': [`p(95)<${numberEnv('P95_MS', 500)}`],
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup(): SetupData {
  return login();
}

export default function (data: SetupData): void {
  postDocument(data.token, documents.at(exec.scenario.iterationInTest));
}

export const handleSummary = summaryHandler('smoke');
