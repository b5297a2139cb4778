// The HTTP side with no consumer running: ingest (JWT and no auth in alternating rounds, a fixed
// rate, batches), then its peer, the Kafka Bridge, on the same documents, counts and concurrency.
import { bridgeMeasurement } from '../bridge-load.js';
import type { BenchContext } from '../context.js';
import { alternatingMeasurements, httpMeasurement, httpParams, httpRun } from '../http-load.js';
import { onServer, planned, unavailable } from '../measure.js';
import type { BenchOptions } from '../options.js';
import { TOPICS } from '../pipeline.js';
import type { Measurement } from '../results.js';
import * as services from '../services.js';

/**
 * Rounds per single-document measurement with and without authentication. Their difference is
 * the cost of authentication, which is smaller than the drift between runs one after the other:
 * the first of four rounds ran 30 % below the others, for either server.
 */
const AUTH_ROUNDS = 4;

/** ingest alone: documents pile up in Kafka, as they would behind a slow store. */
export async function ingestRuns(ctx: BenchContext, o: BenchOptions): Promise<Measurement[]> {
  const rateDocs = o.rate * o.rateSeconds;
  const highRateDocs = o.highRate * o.rateSeconds;
  const target = (authMode: 'jwt' | 'none', batchSize: number, count: number, rate?: number) =>
    httpRun(services.ingestPort(ctx, authMode), o, batchSize, count, rate);
  const run = (batchSize: number, count: number, rate?: number) => () => httpMeasurement(target('jwt', batchSize, count, rate));
  const singles = await onServer(
    ctx,
    [services.ingest(ctx, { authMode: 'jwt' }), services.ingest(ctx, { authMode: 'none' })],
    [
      {
        measured: [
          { id: 'docpipe.single.auth', params: { ...httpParams(o, 1, o.singleDocs), rounds: AUTH_ROUNDS } },
          { id: 'docpipe.single.noauth', params: { ...httpParams(o, 1, o.singleDocs), rounds: AUTH_ROUNDS, authMode: 'none' } },
        ],
        run: () => alternatingMeasurements([target('jwt', 1, o.singleDocs), target('none', 1, o.singleDocs)], AUTH_ROUNDS),
      },
    ],
  );
  const jwt = await onServer(ctx, [services.ingest(ctx, { authMode: 'jwt' })], [
    planned('docpipe.single.rate', { ...httpParams(o, 1, rateDocs, o.rate), seconds: o.rateSeconds }, run(1, rateDocs, o.rate)),
    planned('docpipe.single.rate.high', { ...httpParams(o, 1, highRateDocs, o.highRate), seconds: o.rateSeconds }, run(1, highRateDocs, o.highRate)),
    planned('docpipe.batch', httpParams(o, o.batchSize, o.batchDocs), run(o.batchSize, o.batchDocs)),
  ]);
  return [...singles, ...jwt];
}

export async function bridgeRuns(ctx: BenchContext, o: BenchOptions): Promise<Measurement[]> {
  const single = { ...httpParams(o, 1, o.singleDocs), acks: 'all' };
  const batch = { ...httpParams(o, o.batchSize, o.batchDocs), acks: 'all' };
  if (ctx.bridge.unavailable) {
    return [unavailable('peer.bridge.single', single, ctx.bridge.unavailable), unavailable('peer.bridge.batch', batch, ctx.bridge.unavailable)];
  }
  const run = (batchSize: number, count: number) => () =>
    bridgeMeasurement({ ...httpRun(ctx.bridgePort, o, batchSize, count), topic: TOPICS.documents });
  return onServer(ctx, [services.bridge(ctx)], [
    planned('peer.bridge.single', single, run(1, o.singleDocs)),
    planned('peer.bridge.batch', batch, run(o.batchSize, o.batchDocs)),
  ]);
}
