import type { Clock } from '../clock.js';

export interface WorkQueueOptions {
  readonly clock: Clock;
  /** Delay before the first retry of a failing key; each further failure doubles it. @default 500 */
  readonly baseDelayMs?: number;
  /** @default 300000 (5 minutes) */
  readonly maxDelayMs?: number;
}

/**
 * The work queue of a controller, with client-go's semantics: a key waits at most once, a key is
 * never handed to two workers at once (added while in work, it comes back once that work is
 * done), and a failing key backs off on its own, without slowing the others.
 */
export class WorkQueue {
  readonly #clock: Clock;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #queue: string[] = [];
  /** Keys that wait: in the queue, or added again while in work. */
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #timers = new Set<() => void>();
  #waiters: ((key: string | undefined) => void)[] = [];
  #shutDown = false;

  constructor(options: WorkQueueOptions) {
    this.#clock = options.clock;
    this.#baseDelayMs = options.baseDelayMs ?? 500;
    this.#maxDelayMs = options.maxDelayMs ?? 300_000;
  }

  add(key: string): void {
    if (this.#shutDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      waiter(key);
    } else this.#queue.push(key);
  }

  addAfter(key: string, ms: number): void {
    if (this.#shutDown) return;
    if (ms <= 0) return this.add(key);
    const cancel = this.#clock.after(ms, () => {
      this.#timers.delete(cancel);
      this.add(key);
    });
    this.#timers.add(cancel);
  }

  /** Adds the key after its own backoff, which grows with each failure until forget(key). */
  addRateLimited(key: string): number {
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    const delay = Math.min(this.#baseDelayMs * 2 ** (failures - 1), this.#maxDelayMs);
    this.addAfter(key, delay);
    return delay;
  }

  /** The key succeeded: its next failure starts from the base delay again. */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** The next key to work on; undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.#shutDown) return Promise.resolve(undefined);
    const key = this.#queue.shift();
    if (key !== undefined) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) {
      this.#dirty.delete(key);
      this.add(key);
    }
  }

  /** Keys waiting, in the queue or behind their work in progress. */
  get length(): number {
    return this.#dirty.size;
  }

  shutDown(): void {
    this.#shutDown = true;
    for (const cancel of this.#timers) cancel();
    this.#timers.clear();
    for (const waiter of this.#waiters) waiter(undefined);
    this.#waiters = [];
  }
}
