import { documentsPath } from './routes.ts';
import type { Percentiles } from './stats.ts';
import type { Summary } from './summary.ts';

const count = (n: number) => n.toLocaleString('en-US');
const rate = (n: number) => `${count(Math.round(n))} docs/s`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const millis = (ms: number) => (ms >= 1000 ? seconds(ms) : `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`);
const percentiles = (p: Percentiles, keys: ReadonlyArray<keyof Percentiles>) => keys.map((k) => `${k} ${millis(p[k])}`).join('  ');
const line = (label: string, text: string) => `  ${label.padEnd(12)}${text}\n`;

/** The summary as the CLI prints it. */
export function formatSummary(summary: Summary): string {
  const { target, rejected, errors, storage } = summary;
  const mode = target.batchSize > 1 ? `NDJSON batches of ${target.batchSize}` : 'one document per request';
  const pace = target.rate === null ? '' : `, ${target.rate} docs/s`;
  // The invoices' routes from before pipelines were data go unnamed, as they were then.
  const to = target.documentsPath === documentsPath(undefined) ? target.url : `${target.url.replace(/\/+$/, '')}${target.documentsPath}`;
  let text = `docpipe-load: ${count(target.count)} documents to ${to} (${mode}, concurrency ${target.concurrency}${pace}, seed ${target.seed})\n`;

  text += line('sent', `${count(summary.sent)} in ${count(summary.requests)} requests, ${seconds(summary.elapsedMs)}`);
  text += line('accepted', `${count(summary.accepted)} (${rate(summary.acceptedPerSecond)})${summary.acceptedInvalid > 0 ? `, ${count(summary.acceptedInvalid)} of them with a defect` : ''}`);
  const verdict = rejected.unexpected === 0 ? 'all as the generator expects' : `${count(rejected.unexpected)} NOT as the generator expects`;
  text += line('rejected', rejected.total === 0 ? '0' : `${count(rejected.total)}, ${verdict}`);
  const width = Math.max(0, ...rejected.byReason.map((r) => r.field.length));
  for (const r of rejected.byReason) {
    text += `    ${count(r.count).padStart(8)}  ${r.field.padEnd(width)}  ${r.reason}${r.expected ? '' : '  (unexpected)'}\n`;
  }
  if (summary.retried > 0) text += line('retried', `${count(summary.retried)} requests (after a 503, or a 504 with an Idempotency-Key)`);
  if (summary.unknown.total > 0) text += line('unknown', `${count(summary.unknown.total)} documents answered 504: Kafka did not confirm them, they may be stored`);
  text += line('errors', errors.total === 0 ? '0' : `${count(errors.total)} documents`);
  for (const e of errors.byKind) text += `    ${count(e.count).padStart(8)}  ${e.kind}\n`;
  text += line('latency', percentiles(summary.latencyMs, ['p50', 'p95', 'p99', 'max']));

  if (storage) {
    text += line('stored', `${count(storage.stored)} of ${count(summary.accepted)} accepted, ${rate(storage.storedPerSecond)} (first request to last storedAt: ${seconds(storage.spanMs)})`);
    text += line('checking', `${seconds(storage.waitedMs)} of GET ${target.documentsPath}/:id after sending`);
    text += line('lag', `${percentiles(storage.lagMs, ['p50', 'p95', 'max'])}  (storedAt − ingestedAt)`);
    if (storage.pollErrors > 0) text += line('polling', `${count(storage.pollErrors)} answers other than 200/404 while waiting`);
    const same = storage.stored === summary.accepted && summary.duplicateIds === 0;
    text += line('check', `accepted == stored: ${same ? 'yes' : 'NO'}; duplicate ids: ${count(summary.duplicateIds)}`);
  } else {
    text += line('stored', 'not checked (--no-wait)');
  }
  text += line('result', summary.ok ? 'OK' : `FAILED\n${summary.problems.map((p) => `    - ${p}\n`).join('')}`.trimEnd());
  return text;
}
