import { setTimeout as sleep } from 'node:timers/promises';
import type { RetryPolicy } from './config.js';

/**
 * Delay before retry number `attempt` (1-based): exponential with "equal jitter", so members that
 * failed together do not retry together, and no retry follows its failure immediately.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/** Waits before a retry; throws the abort reason as soon as `signal` aborts. */
export async function waitBeforeRetry(delayMs: number, signal: AbortSignal): Promise<void> {
  await sleep(delayMs, undefined, { signal }).catch(() => undefined);
  signal.throwIfAborted();
}

export interface RetryOptions {
  readonly policy: RetryPolicy;
  readonly signal: AbortSignal;
  readonly onRetry: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Repeats `operation` until it succeeds or `signal` aborts: for writes whose every failure is transient. */
export async function retryUntilDone<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    options.signal.throwIfAborted();
    try {
      return await operation();
    } catch (error) {
      const delayMs = backoffDelay(attempt, options.policy);
      options.onRetry(error, attempt, delayMs);
      await waitBeforeRetry(delayMs, options.signal);
    }
  }
}
