import type { BatchConsumer } from '@docpipe/kafka';
import type { Logger } from 'pino';
import type { RetryPolicy } from './config.js';
import { retryUntilDone } from './retry.js';

export interface SubscriptionOptions {
  /** Starts a member of the group on these topics (never none). */
  readonly start: (topics: readonly string[]) => Promise<BatchConsumer>;
  readonly policy: RetryPolicy;
  readonly logger: Logger;
}

const sameTopics = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((topic, i) => topic === b[i]);

/**
 * This process's member of the consumer group, on the topics of the pipelines it serves. A running
 * member keeps the topics it joined with (kafkajs cannot change them), so a new topic list replaces
 * the member at a batch boundary: the running one finishes the batch in hand, commits and leaves the group, then one on
 * the new list joins. The offsets belong to the group, so the new member carries on where the old
 * one committed, and a topic it has never read starts from its beginning.
 */
export class Subscription {
  readonly #options: SubscriptionOptions;
  #member: BatchConsumer | undefined;
  #topics: readonly string[] = [];
  /** Changes apply one after another, in the order they came. */
  #changes: Promise<void> = Promise.resolve();
  readonly #stopping = new AbortController();

  constructor(options: SubscriptionOptions) {
    this.#options = options;
  }

  get topics(): readonly string[] {
    return this.#topics;
  }

  /** False while no member runs: no pipeline to read, a change under way, or the member crashed for good. */
  isRunning(): boolean {
    return this.#member?.isRunning() ?? false;
  }

  /**
   * The first member, after `prepare`. A failure is thrown, so that a process that cannot consume
   * fails its start. Changes asked for meanwhile wait for it.
   */
  start(topics: readonly string[], prepare: () => Promise<void> = async () => {}): Promise<void> {
    const sorted = [...new Set(topics)].sort();
    return this.#enqueue(async () => {
      await prepare();
      this.#member = sorted.length > 0 ? await this.#options.start(sorted) : undefined;
      this.#topics = sorted;
    });
  }

  /**
   * Moves the member to `topics` once `prepare` (what new pipelines need before they are read) has
   * succeeded. Both are retried until they do or the subscription stops: the process is already
   * serving, and a topic that does not exist yet (its KafkaTopic is still being created) appears.
   * Never rejects.
   */
  update(topics: readonly string[], prepare: (signal: AbortSignal) => Promise<void> = async () => {}): Promise<void> {
    return this.#enqueue(() => this.#apply([...new Set(topics)].sort(), prepare));
  }

  #enqueue(change: () => Promise<void>): Promise<void> {
    const applied = this.#changes.then(change);
    this.#changes = applied.catch(() => undefined);
    return applied;
  }

  /** Waits for the change under way, then stops the member gracefully (it finishes its batch and commits). */
  async stop(): Promise<void> {
    this.#stopping.abort(new Error('the subscription is stopping'));
    await this.#changes;
    await this.#member?.stop();
    this.#member = undefined;
  }

  async #apply(topics: readonly string[], prepare: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const { logger, policy } = this.#options;
    const signal = this.#stopping.signal;
    const retrying = (what: string) => (error: unknown, attempt: number, delayMs: number) =>
      logger.warn({ attempt, delayMs, reason: (error as Error).message, topics }, `${what} failed, retrying`);
    try {
      await retryUntilDone(() => prepare(signal), { policy, signal, onRetry: retrying('preparing the new pipelines') });
      if (sameTopics(topics, this.#topics)) return;
      const previous = this.#topics;
      const leaving = this.#member;
      this.#member = undefined;
      this.#topics = topics;
      // A member that does not leave cleanly is dropped when its session times out, and what it
      // did not commit is replayed: the new member must start anyway.
      await leaving?.stop().catch((error: unknown) => logger.warn({ err: error, topics: previous }, 'stopping the member failed'));
      if (topics.length > 0) {
        this.#member = await retryUntilDone(() => this.#options.start(topics), { policy, signal, onRetry: retrying('subscribing') });
      }
      logger.info({ topics, previous }, 'consumer re-subscribed');
    } catch (error) {
      if (!signal.aborted) logger.error({ err: error, topics }, `re-subscribing failed: ${(error as Error).message}`);
    }
  }
}
