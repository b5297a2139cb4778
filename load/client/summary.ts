import type { DefectShares } from '../data/index.ts';
import type { StorageWait } from './storage.ts';
import { perSecond, type DurationRecorder, type Percentiles } from './stats.ts';
import type { ErrorGroup, RejectionGroup, Tally } from './tally.ts';

export interface StorageSummary {
  readonly stored: number;
  readonly missing: number;
  /** Stored documents per second from the first request's start to the latest storedAt. */
  readonly storedPerSecond: number;
  readonly spanMs: number;
  /** End-to-end lag, storedAt − ingestedAt. */
  readonly lagMs: Percentiles;
  readonly pollErrors: number;
  readonly waitedMs: number;
}

export interface Summary {
  readonly target: {
    readonly url: string;
    /** The pipeline whose documents were sent, and the route they went to. */
    readonly pipeline: string;
    readonly documentsPath: string;
    readonly count: number;
    readonly concurrency: number;
    readonly rate: number | null;
    readonly batchSize: number;
    readonly seed: number;
    readonly defects: DefectShares;
    readonly idempotency: boolean;
  };
  /** Documents sent (answered or failed). */
  readonly sent: number;
  readonly requests: number;
  readonly accepted: number;
  /** Documents with a defect that were accepted anyway. */
  readonly acceptedInvalid: number;
  readonly rejected: {
    readonly total: number;
    readonly expected: number;
    readonly unexpected: number;
    readonly byReason: readonly RejectionGroup[];
  };
  /** Documents whose request failed: another status than 202/422/504, or no answer. */
  readonly errors: { readonly total: number; readonly byKind: readonly ErrorGroup[] };
  /** Documents answered 504 in the end (without an Idempotency-Key): they may or may not be stored. */
  readonly unknown: { readonly total: number; readonly ids: readonly string[] };
  /** Requests sent again after a 503, or a 504 with an Idempotency-Key. */
  readonly retried: number;
  /** Ids the API returned more than once. */
  readonly duplicateIds: number;
  /** From the first request's start to the last answer. */
  readonly elapsedMs: number;
  readonly acceptedPerSecond: number;
  /** Per request. */
  readonly latencyMs: Percentiles;
  /** null with --no-wait. */
  readonly storage: StorageSummary | null;
  /** Why the run is not ok; empty when it is. */
  readonly problems: readonly string[];
  readonly ok: boolean;
}

export interface SendResult {
  readonly tally: Tally;
  readonly latency: DurationRecorder;
  readonly requests: number;
  readonly elapsedMs: number;
  /** Epoch milliseconds, comparable with the server's storedAt (same clock locally). */
  readonly firstRequestAt: number;
}

export function summarize(target: Summary['target'], send: SendResult, wait: StorageWait | null): Summary {
  const { tally } = send;
  const uniqueIds = new Set(tally.ids).size;
  const errors = tally.errors();
  const storage = wait && storageSummary(wait, send.firstRequestAt);
  const rejected = { total: tally.rejected, expected: tally.rejectedExpected, unexpected: tally.rejected - tally.rejectedExpected, byReason: tally.reasons() };

  const problems: string[] = [];
  if (tally.failed > 0) problems.push(`${tally.failed} documents failed (${errors.map((e) => `${e.kind} ×${e.count}`).join(', ')})`);
  if (tally.unknown > 0) problems.push(`${tally.unknown} documents have an unknown outcome (504); with --idempotency they are sent again safely`);
  if (rejected.unexpected > 0) problems.push(`${rejected.unexpected} rejections differ from the generator's expectation`);
  if (tally.acceptedInvalid > 0) problems.push(`${tally.acceptedInvalid} documents with a defect were accepted`);
  if (tally.ids.length > uniqueIds) problems.push(`${tally.ids.length - uniqueIds} ids were returned more than once`);
  if (storage && storage.missing > 0) problems.push(`${storage.missing} accepted documents were not stored after ${Math.round(storage.waitedMs / 1000)} s`);

  return {
    target,
    sent: tally.accepted + tally.rejected + tally.failed + tally.unknown,
    requests: send.requests,
    accepted: tally.accepted,
    acceptedInvalid: tally.acceptedInvalid,
    rejected,
    errors: { total: tally.failed, byKind: errors },
    unknown: { total: tally.unknown, ids: tally.unknownIds },
    retried: tally.retried,
    duplicateIds: tally.ids.length - uniqueIds,
    elapsedMs: send.elapsedMs,
    acceptedPerSecond: perSecond(tally.accepted, send.elapsedMs),
    latencyMs: send.latency.percentiles(),
    storage,
    problems,
    ok: problems.length === 0,
  };
}

function storageSummary(wait: StorageWait, firstRequestAt: number): StorageSummary {
  const spanMs = wait.stored > 0 ? wait.lastStoredAt - firstRequestAt : 0;
  return {
    stored: wait.stored,
    missing: wait.missing.length,
    storedPerSecond: perSecond(wait.stored, spanMs),
    spanMs,
    lagMs: wait.lag.percentiles(),
    pollErrors: wait.pollErrors,
    waitedMs: wait.waitedMs,
  };
}
