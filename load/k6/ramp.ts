/**
 * Finds the knee: one constant-arrival-rate stage per rate in RATES (default
 * 500,1000,2000,3000,4000 documents/s), each for STAGE_DURATION (default 30s), one after the other.
 * The documents cycle through the first POOL documents of the seed (default 10000). Only
 * correctness fails the run (a rejection other than the generator's); past the knee, slow answers,
 * dropped iterations and 503s are the finding, shown per stage in a table, with the knee: the
 * first stage that reached less than 95 % of its rate, dropped more than 1 % of its iterations,
 * answered anything but 202/422, or had a p95 over KNEE_P95_MS (default 500).
 */
import exec from 'k6/execution';
import { assertTokenLasts, login, type SetupData } from './lib/auth.ts';
import { durationEnv, intEnv, listEnv, numberEnv } from './lib/config.ts';
import { documentSet, postDocument } from './lib/documents.ts';
import { SUMMARY_TREND_STATS, format, summaryHandler, type SummaryData } from './lib/summary.ts';

const rates = listEnv('RATES', [500, 1000, 2000, 3000, 4000]);
const stage = durationEnv('STAGE_DURATION', '30s');
const kneeP95 = numberEnv('KNEE_P95_MS', 500);
const documents = documentSet(intEnv('POOL', 10_000));
const name = (rate: number) => `rate_${rate}`;

// Per-stage numbers appear in the summary data only for submetrics that have a threshold; these
// always pass and are there for the knee table (textSummary leaves ">=0" rules out of its list).
const perStage = (rate: number) => ({
  [`http_req_duration{scenario:${name(rate)}}`]: ['p(95)>=0'],
  [`http_reqs{scenario:${name(rate)}}`]: ['count>=0'],
  [`dropped_iterations{scenario:${name(rate)}}`]: ['count>=0'],
  [`unexpected_status{scenario:${name(rate)}}`]: ['count>=0'],
});

export const options = {
  scenarios: Object.fromEntries(
    rates.map((rate, i) => [
      name(rate),
      {
        executor: 'constant-arrival-rate',
        rate,
        timeUnit: '1s',
        duration: stage.text,
        startTime: `${i * stage.seconds}s`,
        gracefulStop: '5s',
        // Little's law: rate × latency VUs are busy. Enough for 100 ms up front (fewer made VUs
        // starting mid-stage drop iterations, a knee of k6's own), up to 500 ms on demand.
        preAllocatedVUs: intEnv('PRE_VUS', Math.ceil(rate / 10)),
        maxVUs: intEnv('MAX_VUS', Math.ceil(rate / 2)),
      },
    ]),
  ),
  thresholds: { rejected_unexpected: ['count==0'], ...Object.assign({}, ...rates.map(perStage)) },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup(): SetupData {
  const data = login();
  assertTokenLasts(data, rates.length * stage.seconds);
  return data;
}

export default function (data: SetupData): void {
  postDocument(data.token, documents.at(exec.scenario.iterationInTest % documents.length));
}

function kneeTable(data: SummaryData): string {
  const value = (metric: string, stat: string) => data.metrics[metric]?.values[stat] ?? 0;
  let knee: number | undefined;
  let text = '\n  stage        target/s  achieved/s  dropped   p95        p99        not 202/422\n';
  for (const rate of rates) {
    const tag = `{scenario:${name(rate)}}`;
    const achieved = value(`http_reqs${tag}`, 'count') / stage.seconds;
    const dropped = value(`dropped_iterations${tag}`, 'count');
    const p95 = value(`http_req_duration${tag}`, 'p(95)');
    const unexpected = value(`unexpected_status${tag}`, 'count');
    const past = achieved < rate * 0.95 || dropped > rate * stage.seconds * 0.01 || unexpected > 0 || p95 > kneeP95;
    if (knee === undefined && past) knee = rate;
    text += `  ${name(rate).padEnd(12)} ${String(rate).padStart(8)}  ${achieved.toFixed(0).padStart(10)}  ${String(dropped).padStart(7)}   `;
    text += `${format(p95, 'time').padEnd(10)} ${format(value(`http_req_duration${tag}`, 'p(99)'), 'time').padEnd(10)} ${unexpected}\n`;
  }
  return `${text}\n  knee: ${knee === undefined ? `not reached up to ${rates[rates.length - 1]}/s` : `${knee}/s (the first stage under 95 % of its rate, dropping over 1 %, answering other than 202/422 or with p95 > ${kneeP95} ms)`}\n`;
}

export const handleSummary = summaryHandler('ramp', kneeTable);
