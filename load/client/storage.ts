import type { Api } from './api.ts';
import { sleep } from './pacing.ts';
import { DurationRecorder } from './stats.ts';

export interface StorageWait {
  readonly stored: number;
  /** Accepted ids still not found when the wait ended. */
  readonly missing: readonly string[];
  /** Epoch milliseconds of the latest storedAt seen; 0 when none was stored. */
  readonly lastStoredAt: number;
  /** storedAt − ingestedAt of every stored document. */
  readonly lag: DurationRecorder;
  /** Answers other than 200 and 404 (401 after the token expired, 503, timeouts): asked again later. */
  readonly pollErrors: number;
  readonly waitedMs: number;
}

export interface StorageWaitOptions {
  /** GETs in flight at once. */
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** Pause of a poller after an id that is not stored yet. */
  readonly pollIntervalMs?: number;
  readonly onStored?: (stored: number) => void;
}

interface StoredTimes {
  readonly ingestedAt?: unknown;
  readonly storedAt?: unknown;
}

/**
 * Asks GET <documents route>/:id for every id until each one is stored or the timeout passes. Ids are
 * asked in the order they were accepted, which is roughly the order the consumer stores them, so
 * an id not stored yet means the ones after it are not either: its poller puts it back at the end
 * of the queue and pauses instead of spending requests on them (each lookup can be expensive:
 * a collection scan on FerretDB).
 */
export async function waitUntilStored(api: Api, ids: Iterable<string>, options: StorageWaitOptions): Promise<StorageWait> {
  const started = performance.now();
  const deadline = started + options.timeoutMs;
  const queue = [...ids];
  const lag = new DurationRecorder();
  let next = 0;
  let stored = 0;
  let lastStoredAt = 0;
  let pollErrors = 0;

  const poller = async () => {
    while (next < queue.length && performance.now() < deadline) {
      const id = queue[next] as string;
      next += 1;
      // Up to the deadline rather than --timeout: ingest goes on with a lookup the client gave up
      // on, so asking again sooner only queues a second scan behind the first.
      const reply = await api.getDocument(id, Math.max(1, deadline - performance.now())).catch(() => undefined);
      const times = reply?.status === 200 ? storedTimes(reply.body as StoredTimes) : undefined;
      if (times) {
        stored += 1;
        lastStoredAt = Math.max(lastStoredAt, times.storedAt);
        lag.record(times.storedAt - times.ingestedAt);
        options.onStored?.(stored);
        continue;
      }
      if (reply?.status !== 404) pollErrors += 1;
      queue.push(id);
      await sleep(options.pollIntervalMs ?? 250);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, queue.length)) }, poller));
  return { stored, missing: queue.slice(next), lastStoredAt, lag, pollErrors, waitedMs: performance.now() - started };
}

function storedTimes(body: StoredTimes): { storedAt: number; ingestedAt: number } | undefined {
  const storedAt = Date.parse(String(body.storedAt));
  const ingestedAt = Date.parse(String(body.ingestedAt));
  return Number.isNaN(storedAt) || Number.isNaN(ingestedAt) ? undefined : { storedAt, ingestedAt };
}
