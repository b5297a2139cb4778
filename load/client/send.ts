import { randomUUID } from 'node:crypto';
import { generatorOf, type GeneratedDocument } from '../data/index.ts';
import { retryAfterMs, type Api, type Reply } from './api.ts';
import type { LoadOptions } from './options.ts';
import { sleep, waitTurn } from './pacing.ts';
import { DurationRecorder } from './stats.ts';
import type { SendResult } from './summary.ts';
import { Tally } from './tally.ts';
import { runWorkers } from './workers.ts';

/** Sends options.count generated documents, singly or in NDJSON batches, and tallies the answers. */
export async function sendAll(api: Api, options: LoadOptions): Promise<SendResult> {
  const generator = generatorOf(options.pipeline);
  const next = generator.create({ seed: options.seed, defects: options.defects });
  const perRequest = Math.max(1, options.batchSize);
  const requests = Math.ceil(options.count / perRequest);
  // Keys must be new for each run: the same seed sends the same bodies, and a key reused with
  // them would return the ids of the previous run instead of sending anything new.
  const run = randomUUID();
  const tally = new Tally(generator.rejections);
  const latency = options.latency ?? new DurationRecorder();
  const start = performance.now();
  let firstRequestAt = 0;
  let firstStart = 0;
  let lastEnd = start;
  let sent = 0;

  await runWorkers(requests, options.concurrency, async (request) => {
    // Generated before the first await, so request n always carries documents n·size onwards.
    const documents = Array.from({ length: Math.min(perRequest, options.count - request * perRequest) }, next);
    await waitTurn(start, request * perRequest, options.rate);
    const key = options.idempotency ? `${run}:${request}` : undefined;
    const began = performance.now();
    if (firstRequestAt === 0) {
      firstRequestAt = Date.now();
      firstStart = began;
    }
    try {
      const keyed = key !== undefined;
      const retried = () => (tally.retried += 1);
      if (perRequest === 1) {
        const json = JSON.stringify(documents[0]?.doc);
        tally.single(documents[0] as GeneratedDocument, await withRetries(() => api.postDocument(json, key), keyed, retried));
      } else {
        const ndjson = toNdjson(documents);
        tally.batch(documents, await withRetries(() => api.postBatch(ndjson, key), keyed, retried));
      }
      latency.record(performance.now() - began);
    } catch (error) {
      tally.fail(documents.length, errorKind(error));
    }
    lastEnd = performance.now();
    sent += documents.length;
    options.onProgress?.({ phase: 'send', done: sent, total: options.count });
  });

  return { tally, latency, requests, elapsedMs: firstRequestAt === 0 ? 0 : lastEnd - firstStart, firstRequestAt };
}

/** How often one request is sent again before its last answer counts. */
const RETRIES = 5;

/**
 * Sends a request again as a careful client does: after a 503, which means nothing was written,
 * and after a 504 (the outcome is unknown) only with an Idempotency-Key, which gives the
 * documents the same ids, so the store keeps one copy each. A 504 without a key is left as it is.
 */
async function withRetries(post: () => Promise<Reply>, keyed: boolean, onRetry: () => void): Promise<Reply> {
  for (let attempt = 0; ; attempt++) {
    const reply = await post();
    const again = reply.status === 503 || (reply.status === 504 && keyed);
    if (!again || attempt === RETRIES) return reply;
    onRetry();
    await sleep(retryAfterMs(reply));
  }
}

function toNdjson(documents: readonly GeneratedDocument[]): string {
  return documents.map((generated) => JSON.stringify(generated.doc)).join('\n');
}

/** undici's code (UND_ERR_HEADERS_TIMEOUT…) or the system's (ECONNREFUSED…). */
function errorKind(error: unknown): string {
  const { code, name } = error as { code?: unknown; name?: unknown };
  return typeof code === 'string' ? code : String(name ?? 'Error');
}
