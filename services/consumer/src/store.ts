import type { Db, Document } from 'mongodb';
import type { Logger } from 'pino';
import { allInserted, classifyWriteError, type Poisoned, type WriteOutcome } from './classify.js';
import type { RetryPolicy } from './config.js';
import type { ConsumerMetrics } from './metrics.js';
import { backoffDelay, waitBeforeRetry } from './retry.js';

export interface WriteSummary {
  readonly inserted: number;
  readonly duplicates: number;
  /** Documents the store refused for what they contain; indexes refer to the documents passed. */
  readonly rejected: readonly Poisoned[];
}

interface Tally {
  inserted: number;
  duplicates: number;
  rejected: Poisoned[];
}

/**
 * Unordered bulk inserts that end only when every document is stored, already stored, or known to
 * be unstorable. Transient failures are retried (only the documents they concern) until they pass
 * or `signal` aborts; the thrown abort reason then leaves the chunk's offsets unresolved.
 */
export class Store {
  readonly #db: Db;
  readonly #metrics: ConsumerMetrics;
  readonly #policy: RetryPolicy;
  readonly #logger: Logger;

  constructor(db: Db, metrics: ConsumerMetrics, policy: RetryPolicy, logger: Logger) {
    this.#db = db;
    this.#metrics = metrics;
    this.#policy = policy;
    this.#logger = logger;
  }

  async insertAll(collection: string, docs: readonly Document[], signal: AbortSignal): Promise<WriteSummary> {
    const tally: Tally = { inserted: 0, duplicates: 0, rejected: [] };
    if (docs.length > 0) await this.#insertSome(collection, docs, Array.from(docs.keys()), signal, tally);
    this.#metrics.stored.inc({ collection }, tally.inserted);
    this.#metrics.duplicates.inc(tally.duplicates);
    return tally;
  }

  async #insertSome(collection: string, docs: readonly Document[], indexes: readonly number[], signal: AbortSignal, tally: Tally) {
    let pending = indexes;
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      signal.throwIfAborted();
      const outcome = await this.#insertOnce(collection, pending.map((i) => docs[i] as Document));
      if (outcome.kind === 'isolate') {
        if (pending.length === 1) {
          tally.rejected.push({ index: pending[0] as number, reason: outcome.reason });
          return;
        }
        const half = Math.ceil(pending.length / 2);
        await this.#insertSome(collection, docs, pending.slice(0, half), signal, tally);
        await this.#insertSome(collection, docs, pending.slice(half), signal, tally);
        return;
      }
      const sent = pending;
      tally.inserted += outcome.inserted;
      tally.duplicates += outcome.duplicates;
      for (const poisoned of outcome.poison) tally.rejected.push({ index: sent[poisoned.index] as number, reason: poisoned.reason });
      pending = outcome.retry.map((i) => sent[i] as number);
      if (pending.length > 0) {
        const delayMs = backoffDelay(attempt, this.#policy);
        this.#metrics.writeRetries.inc();
        this.#logger.warn({ collection, documents: pending.length, attempt, delayMs, reason: outcome.retryReason }, 'write failed, retrying');
        await waitBeforeRetry(delayMs, signal);
      }
    }
  }

  async #insertOnce(collection: string, docs: Document[]): Promise<WriteOutcome> {
    const stopTimer = this.#metrics.writeDuration.startTimer();
    try {
      await this.#db.collection(collection).insertMany(docs, { ordered: false });
      return allInserted(docs.length);
    } catch (error) {
      return classifyWriteError(error, docs.length);
    } finally {
      stopTimer();
    }
  }
}
