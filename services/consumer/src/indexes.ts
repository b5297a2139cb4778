import type { CompiledPipeline } from '@docpipe/pipeline';
import { MongoServerError, type Db } from 'mongodb';
import type { Logger } from 'pino';
import type { RetryPolicy } from './config.js';
import { retryUntilDone } from './retry.js';

/** Answers meaning that this index cannot be built as the spec says it: asking again cannot help. */
const REFUSALS = new Map<number, string>([
  [2, 'BadValue'],
  [67, 'CannotCreateIndex'],
  [85, 'IndexOptionsConflict'],
  [86, 'IndexKeySpecsConflict'],
  [197, 'InvalidIndexSpecificationOption'],
  [11000, 'DuplicateKey'],
]);

export interface IndexOptions {
  readonly policy: RetryPolicy;
  /** Aborts on stop: the indexes not built yet are asked for again at the next start. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/**
 * Builds the `spec.storage.indexes` of each pipeline on its documents collection. createIndex is
 * idempotent, so a pipeline that is added or changed simply asks for all of its indexes again. The
 * indexes serve queries, not the writes, so this runs beside consumption rather than before it (a
 * build on a large collection can take long): a transient failure is retried until it passes or
 * `signal` aborts, and an index the store refuses (one changed under the same keys, a unique index
 * over duplicates) is logged and left to whoever fixes the spec. Never rejects.
 */
export async function ensureIndexes(db: Db, pipelines: readonly CompiledPipeline[], options: IndexOptions): Promise<void> {
  const { logger, policy, signal } = options;
  for (const pipeline of pipelines) {
    const collection = pipeline.resources.collections.documents;
    for (const { keys, unique } of pipeline.spec.storage.indexes) {
      const build = async () => {
        try {
          await db.collection(collection).createIndex(keys, { unique });
        } catch (error) {
          const refusal = error instanceof MongoServerError && typeof error.code === 'number' ? REFUSALS.get(error.code) : undefined;
          if (!refusal) throw error;
          logger.error({ pipeline: pipeline.name, collection, keys, unique, reason: (error as Error).message }, `index refused (${refusal})`);
        }
      };
      try {
        await retryUntilDone(build, {
          policy,
          signal,
          onRetry: (error, attempt, delayMs) => {
            const reason = (error as Error).message;
            logger.warn({ pipeline: pipeline.name, collection, keys, attempt, delayMs, reason }, 'index build failed, retrying');
          },
        });
      } catch {
        return; // retryUntilDone gives up only when the service stops
      }
    }
  }
}
