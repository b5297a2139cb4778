import type { Api } from './api.ts';
import { sleep } from './pacing.ts';
import { DurationRecorder } from './stats.ts';
import { runWorkers } from './workers.ts';

export interface StorageWait {
  readonly stored: number;
  /** Accepted ids still not found when the wait ended. */
  readonly missing: readonly string[];
  /** Epoch milliseconds of the latest storedAt seen; 0 when none was stored. */
  readonly lastStoredAt: number;
  /** storedAt − ingestedAt of every stored document. */
  readonly lag: DurationRecorder;
  /** Answers other than 200 and 404 (401 after the token expired, 503…): the id was polled again. */
  readonly pollErrors: number;
  readonly waitedMs: number;
}

export interface StorageWaitOptions {
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** Pause between rounds over the ids not stored yet. */
  readonly pollIntervalMs?: number;
  readonly onStored?: (stored: number) => void;
}

interface StoredTimes {
  readonly ingestedAt?: unknown;
  readonly storedAt?: unknown;
}

/**
 * Polls GET /v1/documents/:id for every id, in rounds over those not stored yet, until all are
 * stored or the timeout passes.
 */
export async function waitUntilStored(api: Api, ids: Iterable<string>, options: StorageWaitOptions): Promise<StorageWait> {
  const started = performance.now();
  const deadline = started + options.timeoutMs;
  const lag = new DurationRecorder();
  let pending = [...ids];
  let stored = 0;
  let lastStoredAt = 0;
  let pollErrors = 0;

  for (;;) {
    const missing: string[] = [];
    await runWorkers(pending.length, options.concurrency, async (index) => {
      const id = pending[index] as string;
      if (performance.now() > deadline) {
        missing.push(id);
        return;
      }
      const reply = await api.getDocument(id).catch(() => undefined);
      const times = reply?.status === 200 ? storedTimes(reply.body as StoredTimes) : undefined;
      if (!times) {
        if (reply?.status !== 404) pollErrors += 1;
        missing.push(id);
        return;
      }
      stored += 1;
      lastStoredAt = Math.max(lastStoredAt, times.storedAt);
      lag.record(times.storedAt - times.ingestedAt);
      options.onStored?.(stored);
    });
    pending = missing;
    if (pending.length === 0 || performance.now() > deadline) break;
    await sleep(options.pollIntervalMs ?? 250);
  }
  return { stored, missing: pending, lastStoredAt, lag, pollErrors, waitedMs: performance.now() - started };
}

function storedTimes(body: StoredTimes): { storedAt: number; ingestedAt: number } | undefined {
  const storedAt = Date.parse(String(body.storedAt));
  const ingestedAt = Date.parse(String(body.ingestedAt));
  return Number.isNaN(storedAt) || Number.isNaN(ingestedAt) ? undefined : { storedAt, ingestedAt };
}
