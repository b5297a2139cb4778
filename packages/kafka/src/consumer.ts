import { libraryOf, type KafkaClientOptions } from './client.js';
import { joinWithKafkajs } from './consumer-kafkajs.js';
import { joinWithPlatformatic } from './consumer-platformatic.js';

export interface ConsumedRecord {
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly offset: string;
  /** The record's timestamp (producer create time, or the broker's log-append time), in ms since the epoch. */
  readonly timestamp: string;
}

export interface RecordChunk {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly ConsumedRecord[];
}

export interface BatchConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * Handles one chunk. Its offsets are resolved only after it returns, so a crash replays it.
   * It must be idempotent. Throwing stops the batch; the rest is fetched again later. A handler
   * that can take long (retrying a store that is down) calls `heartbeat` meanwhile to keep the
   * group membership; it rejects when the group is rebalancing, and the handler should then throw.
   */
  readonly handle: (chunk: RecordChunk, heartbeat: () => Promise<void>) => Promise<void>;
  /** Records per handle() call; a fetched batch is split into chunks of this size. */
  readonly chunkSize?: number;
  /** Partitions processed at the same time by one member. */
  readonly partitionsConsumedConcurrently?: number;
  /** Called after each chunk with the records left behind on that partition. */
  readonly onLag?: (topic: string, partition: number, lag: number) => void;
  /** Bytes fetched per partition per request; bounds the batch a graceful stop must finish. */
  readonly maxBytesPerPartition?: number;
  /** The group session timeout. */
  readonly sessionTimeoutMs?: number;
}

/** A running member of a consumer group. */
export interface BatchConsumer {
  /** Finishes the batch in hand, commits what was written, and leaves the group. */
  stop(): Promise<void>;
  /** False once the member stopped, and while one that its library gave up on is being replaced (for /readyz). */
  isRunning(): boolean;
}

/** One member as a library joined it: `stop` finishes the chunks in hand, commits and leaves. */
export interface Member {
  stop(): Promise<void>;
}

/** Joins the group; `onGiveUp` is called when the library gives the member up for good. */
export type Join = (onGiveUp: () => void) => Promise<Member>;

/** The same chunking and offset rules, whichever library `connection` names. */
export function startBatchConsumer(connection: KafkaClientOptions, options: BatchConsumerOptions): Promise<BatchConsumer> {
  if ((options.chunkSize ?? DEFAULTS.chunkSize) < 1) throw new Error('chunkSize must be at least 1');
  const join = libraryOf(connection) === 'platformatic' ? joinWithPlatformatic : joinWithKafkajs;
  return supervise((onGiveUp) => join(connection, options, onGiveUp));
}

/** Each option's default, written once for both libraries. */
export const DEFAULTS = {
  chunkSize: 1000,
  partitionsConsumedConcurrently: 3,
  maxBytesPerPartition: 1024 * 1024,
  sessionTimeoutMs: 30_000,
} as const;

/**
 * Keeps a member in the group: a library gives one up after an error it deems final (no group
 * coordinator found while the broker was away for long), and the member would then stay out for
 * good. A new member joins in its place, with growing pauses while that fails.
 */
async function supervise(join: Join): Promise<BatchConsumer> {
  let stopped = false;
  let running = true;
  let current: Member;
  let revival: NodeJS.Timeout | undefined;
  const onGiveUp = () => {
    if (stopped) return;
    running = false;
    revive(REVIVE_FIRST_MS);
  };
  const revive = (delayMs: number) => {
    clearTimeout(revival);
    revival = setTimeout(() => {
      join(onGiveUp).then(
        (member) => {
          current = member;
          running = !stopped;
          if (stopped) void member.stop();
        },
        () => {
          if (!stopped) revive(Math.min(delayMs * 2, REVIVE_MAX_MS));
        },
      );
    }, delayMs);
  };
  current = await join(onGiveUp);
  return {
    stop: () => {
      stopped = true;
      running = false;
      clearTimeout(revival);
      return current.stop();
    },
    isRunning: () => running,
  };
}

/** The first pause before a member that its library gave up on is replaced, and the longest. */
const REVIVE_FIRST_MS = 1000;
const REVIVE_MAX_MS = 30_000;

