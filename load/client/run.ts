import { generatorOf } from '../data/index.ts';
import { Api } from './api.ts';
import { checkOptions, withDefaults, type LoadOptions } from './options.ts';
import { documentsPath } from './routes.ts';
import { sendAll } from './send.ts';
import { waitUntilStored } from './storage.ts';
import { summarize, type Summary } from './summary.ts';

export { Api, LoginError } from './api.ts';
export { documentsPath } from './routes.ts';
export { DEFAULT_OPTIONS, defectsForInvalidShare, type LoadOptions, type Progress } from './options.ts';
export { DurationRecorder } from './stats.ts';
export type { StorageSummary, Summary } from './summary.ts';

/**
 * One load run: log in (registering the user if needed), send the documents, then (unless
 * options.wait is false) wait until every accepted one is stored. Throws only when the run could
 * not start (bad options, login refused, API unreachable); everything after that is in the summary,
 * whose `ok` says whether every document got the answer the generator expected and every accepted
 * one was stored.
 */
export async function runLoad(input: Partial<LoadOptions> = {}): Promise<Summary> {
  const options = withDefaults(input);
  checkOptions(options);
  const path = documentsPath(options.pipeline);
  const api = new Api(options.url, { connections: Math.max(options.concurrency, options.pollConcurrency), timeoutMs: options.timeoutMs, documentsPath: path });
  try {
    await api.login(options.user, options.password);
    const sent = await sendAll(api, options);
    const accepted = new Set(sent.tally.ids);
    const wait = options.wait
      ? await waitUntilStored(api, accepted, {
          concurrency: options.pollConcurrency,
          timeoutMs: options.waitTimeoutMs,
          onStored: (stored) => options.onProgress?.({ phase: 'wait', done: stored, total: accepted.size }),
        })
      : null;
    const { url, count, concurrency, rate, batchSize, seed, defects, idempotency } = options;
    const { pipeline } = generatorOf(options.pipeline);
    return summarize({ url, pipeline, documentsPath: path, count, concurrency, rate: rate ?? null, batchSize, seed, defects, idempotency }, sent, wait);
  } finally {
    await api.close();
  }
}
