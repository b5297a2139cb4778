/**
 * NDJSON batches: BATCHES requests (default 50) of BATCH_SIZE documents (default 100) from the
 * fixed SEED, each document sent exactly once (iteration i sends documents i·size to
 * (i+1)·size − 1), by VUS virtual users. Outcomes are counted per document, so the accepted and
 * rejected counts are exact as in seed-replay.
 */
import exec from 'k6/execution';
import { login, type SetupData } from './lib/auth.ts';
import { intEnv, numberEnv } from './lib/config.ts';
import { documentSet, postBatch } from './lib/documents.ts';
import { outcomeThresholds } from './lib/metrics.ts';
import { SUMMARY_TREND_STATS, summaryHandler } from './lib/summary.ts';

const batchSize = intEnv('BATCH_SIZE', 100);
const batches = intEnv('BATCHES', 50);
const documents = documentSet(batchSize * batches);

export const options = {
  scenarios: { batches: { executor: 'shared-iterations', vus: intEnv('VUS', 4), iterations: batches, maxDuration: __ENV['MAX_DURATION'] || '5m' } },
  thresholds: {
    ...outcomeThresholds(documents),
    'http_req_duration{endpoint:batch}': [`p(95)<${numberEnv('P95_MS', 2000)}`],
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup(): SetupData {
  return login();
}

export default function (data: SetupData): void {
  const first = exec.scenario.iterationInTest * batchSize;
  postBatch(data.token, Array.from({ length: batchSize }, (_, i) => documents.at(first + i)));
}

export const handleSummary = summaryHandler('batch');
