// The HTTP side with no consumer running: ingest (JWT, no auth, a fixed rate, batches), then its
// peer, the Kafka Bridge, on the same documents, counts and concurrency.
import { bridgeMeasurement } from '../bridge-load.js';
import type { BenchContext } from '../context.js';
import { httpMeasurement, httpParams, httpRun } from '../http-load.js';
import { onServer, unavailable } from '../measure.js';
import type { BenchOptions } from '../options.js';
import { TOPICS } from '../pipeline.js';
import type { Measurement } from '../results.js';
import * as services from '../services.js';

/** ingest alone: documents pile up in Kafka, as they would behind a slow store. */
export async function ingestRuns(ctx: BenchContext, o: BenchOptions): Promise<Measurement[]> {
  const rateDocs = o.rate * o.rateSeconds;
  const run = (batchSize: number, count: number, rate?: number) => () => httpMeasurement(httpRun(ctx.ingestPort, o, batchSize, count, rate));
  const jwt = await onServer(ctx, services.ingest(ctx, { authMode: 'jwt' }), [
    { id: 'docpipe.single.auth', params: httpParams(o, 1, o.singleDocs), run: run(1, o.singleDocs) },
    { id: 'docpipe.single.rate', params: { ...httpParams(o, 1, rateDocs, o.rate), seconds: o.rateSeconds }, run: run(1, rateDocs, o.rate) },
    { id: 'docpipe.batch', params: httpParams(o, o.batchSize, o.batchDocs), run: run(o.batchSize, o.batchDocs) },
  ]);
  const none = await onServer(ctx, services.ingest(ctx, { authMode: 'none' }), [
    { id: 'docpipe.single.noauth', params: { ...httpParams(o, 1, o.singleDocs), authMode: 'none' }, run: run(1, o.singleDocs) },
  ]);
  return [...jwt, ...none];
}

export async function bridgeRuns(ctx: BenchContext, o: BenchOptions): Promise<Measurement[]> {
  const single = { ...httpParams(o, 1, o.singleDocs), acks: 'all' };
  const batch = { ...httpParams(o, o.batchSize, o.batchDocs), acks: 'all' };
  if (ctx.bridge.unavailable) {
    return [unavailable('peer.bridge.single', single, ctx.bridge.unavailable), unavailable('peer.bridge.batch', batch, ctx.bridge.unavailable)];
  }
  const run = (batchSize: number, count: number) => () =>
    bridgeMeasurement({ ...httpRun(ctx.bridgePort, o, batchSize, count), topic: TOPICS.documents });
  return onServer(ctx, services.bridge(ctx), [
    { id: 'peer.bridge.single', params: single, run: run(1, o.singleDocs) },
    { id: 'peer.bridge.batch', params: batch, run: run(o.batchSize, o.batchDocs) },
  ]);
}
