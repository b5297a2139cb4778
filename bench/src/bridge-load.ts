// Load on the Kafka Bridge. The load client speaks ingest's API only (login, /v1/documents), so
// this sends the same generated documents as bridge records, with what the load client uses: an
// undici Pool of `concurrency` connections, that many requests in flight, latency per request in
// Node's HDR histogram. The bridge's answer (200 with offsets) comes after Kafka acked (acks=all).
import { randomUUID } from 'node:crypto';
import { createHistogram } from 'node:perf_hooks';
import { createGenerator, NO_DEFECTS } from '@docpipe/load/data';
import { Pool } from 'undici';
import type { Outcome } from './results.js';

export const BRIDGE_CONTENT_TYPE = 'application/vnd.kafka.json.v2+json';

export interface BridgeRun {
  readonly url: string;
  readonly topic: string;
  readonly count: number;
  readonly warmup: number;
  readonly concurrency: number;
  readonly batchSize: number;
  readonly seed: number;
}

/** The bridge's body for documents: each a record keyed by a new id, as ingest keys them. */
export function bridgeBody(documents: readonly unknown[]): string {
  return JSON.stringify({ records: documents.map((value) => ({ key: randomUUID(), value })) });
}

interface Offsets {
  readonly offsets?: ReadonlyArray<{ readonly error_code?: number }>;
}

async function send(pool: Pool, run: BridgeRun, count: number, seed: number) {
  const next = createGenerator({ seed, defects: NO_DEFECTS });
  const perRequest = Math.max(1, run.batchSize);
  const requests = Math.ceil(count / perRequest);
  const latency = createHistogram();
  let accepted = 0;
  let failed = 0;
  let nextRequest = 0;
  const started = performance.now();
  const worker = async () => {
    while (nextRequest < requests) {
      const request = nextRequest;
      nextRequest += 1;
      const docs = Array.from({ length: Math.min(perRequest, count - request * perRequest) }, () => next().doc);
      const began = performance.now();
      try {
        const res = await pool.request({
          method: 'POST',
          path: `/topics/${run.topic}`,
          headers: { 'content-type': BRIDGE_CONTENT_TYPE },
          body: bridgeBody(docs),
        });
        const body = (await res.body.json().catch(() => ({}))) as Offsets;
        latency.record(Math.max(1, Math.round((performance.now() - began) * 1000)));
        const ok = res.statusCode === 200 ? (body.offsets ?? []).filter((o) => o.error_code === undefined).length : 0;
        accepted += ok;
        failed += docs.length - ok;
      } catch {
        failed += docs.length;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(run.concurrency, requests) }, worker));
  return { accepted, failed, elapsedMs: performance.now() - started, latency };
}

export async function bridgeMeasurement(run: BridgeRun): Promise<Outcome> {
  const origin = new URL(run.url).origin;
  const pool = new Pool(origin, { connections: run.concurrency });
  try {
    if (run.warmup > 0) await send(pool, run, run.warmup, run.seed);
    const result = await send(pool, run, run.count, run.seed);
    if (result.accepted === 0) return { status: 'failed', reason: `the bridge accepted none of ${run.count} records` };
    const ms = (p: number) => result.latency.percentile(p) / 1000;
    return {
      status: 'ok',
      throughput: (result.accepted * 1000) / result.elapsedMs,
      count: result.accepted,
      seconds: result.elapsedMs / 1000,
      latencyMs: { p50: ms(50), p95: ms(95), p99: ms(99), max: result.latency.max / 1000 },
      ...(result.failed > 0 ? { notes: [`${result.failed} records failed`] } : {}),
    };
  } finally {
    await pool.close();
  }
}
