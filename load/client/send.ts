import { randomUUID } from 'node:crypto';
import { generatorOf, type GeneratedDocument } from '../data/index.ts';
import type { Api } from './api.ts';
import type { LoadOptions } from './options.ts';
import { waitTurn } from './pacing.ts';
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
      if (perRequest === 1) tally.single(documents[0] as GeneratedDocument, await api.postDocument(JSON.stringify(documents[0]?.doc), key));
      else tally.batch(documents, await api.postBatch(toNdjson(documents), key));
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

function toNdjson(documents: readonly GeneratedDocument[]): string {
  return documents.map((generated) => JSON.stringify(generated.doc)).join('\n');
}

/** undici's code (UND_ERR_HEADERS_TIMEOUT…) or the system's (ECONNREFUSED…). */
function errorKind(error: unknown): string {
  const { code, name } = error as { code?: unknown; name?: unknown };
  return typeof code === 'string' ? code : String(name ?? 'Error');
}
