/**
 * The original project's test, replayed exactly: COUNT documents (default 5000) of the fixed SEED
 * (invoices: about a quarter of them invalid, as in the data set), each sent exactly once by VUS
 * virtual users (shared iterations: iteration i of the whole test sends document i). The same
 * documents every run, so the accepted and rejected counts are known to the document in advance.
 */
import exec from 'k6/execution';
import { login, type SetupData } from './lib/auth.ts';
import { intEnv, numberEnv } from './lib/config.ts';
import { documentSet, postDocument } from './lib/documents.ts';
import { outcomeThresholds } from './lib/metrics.ts';
import { SUMMARY_TREND_STATS, summaryHandler } from './lib/summary.ts';

const documents = documentSet(intEnv('COUNT', 5000));

export const options = {
  scenarios: {
    replay: { executor: 'shared-iterations', vus: intEnv('VUS', 50), iterations: documents.length, maxDuration: __ENV['MAX_DURATION'] || '5m' },
  },
  thresholds: {
    ...outcomeThresholds(documents),
    'http_req_duration{endpoint:single}': [`p(95)<${numberEnv('P95_MS', 500)}`, `p(99)<${numberEnv('P99_MS', 1000)}`],
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup(): SetupData {
  return login();
}

export default function (data: SetupData): void {
  postDocument(data.token, documents.at(exec.scenario.iterationInTest));
}

export const handleSummary = summaryHandler('seed-replay');
