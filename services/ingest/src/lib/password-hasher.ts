import { randomBytes } from 'node:crypto';
import { hash, verify, type Options } from '@node-rs/argon2';
import pLimit, { type LimitFunction } from 'p-limit';

/** Algorithm.Argon2id: the package's enum is a const enum, which isolated modules cannot import. */
const ARGON2ID = 2;

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_OPTIONS: Options = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** More password work is waiting than the queue allows; the caller should answer 503. */
export class HashQueueFullError extends Error {
  override readonly name = 'HashQueueFullError';
}

export interface PasswordHasherOptions {
  /** Hashes computed at the same time; each holds 19 MiB and a libuv thread. */
  readonly concurrency: number;
  /** Operations allowed to wait for a slot; beyond this they fail at once. */
  readonly queueMax: number;
  readonly onQueueFull?: () => void;
}

/**
 * argon2id behind a semaphore with a bounded wait queue: a burst of logins cannot take more memory
 * than concurrency × 19 MiB, and what does not fit in the queue fails fast instead of piling up.
 */
export class PasswordHasher {
  readonly #limit: LimitFunction;
  readonly #queueMax: number;
  readonly #onQueueFull: () => void;
  readonly #dummyHash: string;

  private constructor(options: PasswordHasherOptions, dummyHash: string) {
    this.#limit = pLimit(options.concurrency);
    this.#queueMax = options.queueMax;
    this.#onQueueFull = options.onQueueFull ?? (() => {});
    this.#dummyHash = dummyHash;
  }

  /** Computes, once, the hash that unknown users are checked against. */
  static async create(options: PasswordHasherOptions): Promise<PasswordHasher> {
    return new PasswordHasher(options, await hash(randomBytes(32).toString('base64'), ARGON2_OPTIONS));
  }

  hash(password: string): Promise<string> {
    return this.#run(() => hash(password, ARGON2_OPTIONS));
  }

  /**
   * Checks a password against the stored hash, or against the dummy hash when the user does not
   * exist, so both cases cost one argon2 verification and timing does not reveal which names exist.
   */
  verify(storedHash: string | undefined, password: string): Promise<boolean> {
    return this.#run(async () => {
      const matches = await verify(storedHash ?? this.#dummyHash, password);
      return storedHash !== undefined && matches;
    });
  }

  #run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#limit.activeCount >= this.#limit.concurrency && this.#limit.pendingCount >= this.#queueMax) {
      this.#onQueueFull();
      return Promise.reject(new HashQueueFullError('password hashing queue is full'));
    }
    return this.#limit(work);
  }
}
