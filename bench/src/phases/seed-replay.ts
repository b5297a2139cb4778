// The seed replay: the original end-to-end test, against the whole pipeline.
import { INVOICES } from '@docpipe/contract';
import { defectsForInvalidShare, runLoad } from '@docpipe/load/client';
import type { BenchContext } from '../context.js';
import { BENCH_USER } from '../http-load.js';
import { measure } from '../measure.js';
import type { BenchOptions } from '../options.js';
import type { Pipeline } from '../pipeline.js';
import { withProcess } from '../processes.js';
import type { Measurement, Outcome } from '../results.js';
import * as services from '../services.js';
import { DRAIN_TIMEOUT_MS } from './drains.js';

/**
 * The seed replay, as the original test: fresh services, no warm-up, the data set's share of
 * invalid documents, single requests. Timed by the servers' own clocks: the earliest ingestedAt to
 * the latest storedAt over the documents and the rejections.
 */
export async function seedReplay(ctx: BenchContext, o: BenchOptions, pipeline: Pipeline): Promise<Measurement> {
  const params = { documents: o.seedDocs, invalidShare: o.seedInvalidShare, concurrency: o.concurrency, batchSize: 1, seed: o.seed, warmupDocuments: 0 };
  await pipeline.reset();
  return measure(ctx, 'docpipe.seed', params, () =>
    withProcess(services.consumer(ctx, o), () =>
      withProcess(services.ingest(ctx, { authMode: 'jwt' }), async (): Promise<Outcome> => {
        const summary = await runLoad({
          ...BENCH_USER,
          url: `http://127.0.0.1:${ctx.ingestPort}`,
          count: o.seedDocs,
          concurrency: o.concurrency,
          batchSize: 1,
          seed: o.seed,
          defects: defectsForInvalidShare(o.seedInvalidShare),
          wait: false,
        });
        const answered = summary.accepted + summary.rejected.total;
        const lastAnswer = Date.now();
        const collections = [INVOICES.collections.documents, INVOICES.collections.rejected];
        await pipeline.waitForCount(collections, answered, DRAIN_TIMEOUT_MS);
        const { firstIngestedAt, lastStoredAt } = await pipeline.span(collections);
        const seconds = (lastStoredAt - firstIngestedAt) / 1000;
        // Where the time went: answering the requests, then storing what was still in Kafka.
        const tail = Math.max(0, lastStoredAt - lastAnswer) / 1000;
        return {
          status: 'ok',
          throughput: answered / seconds,
          count: answered,
          seconds,
          latencyMs: { ...summary.latencyMs },
          notes: [
            `${summary.accepted} accepted, ${summary.rejected.total} rejected, ${summary.errors.total} failed`,
            `requests answered in ${(summary.elapsedMs / 1000).toFixed(2)} s, the last stored ${tail.toFixed(2)} s after the last answer`,
            ...summary.problems,
          ],
        };
      }),
    ),
  );
}

