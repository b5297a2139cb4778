import { Consumer, MessagesStreamFallbackModes, MessagesStreamModes, type Message } from '@platformatic/kafka';
import { platformaticConnection, type KafkaClientOptions } from './client.js';
import { DEFAULTS, type BatchConsumerOptions, type ConsumedRecord, type Member } from './consumer.js';

/** Between two attempts at a chunk whose handler threw while the partition was still ours. */
const RETRY_CHUNK_MS = 1000;

/** How often the group's lag is read for `onLag`: the fetched records do not carry the high watermark. */
const LAG_EVERY_MS = 1000;

interface PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  records: Message[];
  busy: boolean;
}

const toRecord = (m: Message): ConsumedRecord => ({
  key: m.key?.toString() ?? null,
  value: m.value ?? null,
  offset: m.offset.toString(),
  timestamp: m.timestamp.toString(),
});

/**
 * An @platformatic/kafka member. Its stream yields records one by one, across partitions; they
 * are queued per partition and handed over in chunks, one chunk per partition at a time and up to
 * `partitionsConsumedConcurrently` partitions at once. A chunk's offsets are committed only after
 * it was handled. The library heartbeats on its own; `heartbeat` only tells a handler that its
 * partition moved to another member.
 */
export async function joinWithPlatformatic(connection: KafkaClientOptions, options: BatchConsumerOptions, onGiveUp: () => void): Promise<Member> {
  const chunkSize = options.chunkSize ?? DEFAULTS.chunkSize;
  const concurrency = options.partitionsConsumedConcurrently ?? DEFAULTS.partitionsConsumedConcurrently;
  const maxBytesPerPartition = options.maxBytesPerPartition ?? DEFAULTS.maxBytesPerPartition;
  const sessionTimeout = options.sessionTimeoutMs ?? DEFAULTS.sessionTimeoutMs;
  const consumer = new Consumer({
    ...platformaticConnection(connection),
    groupId: options.groupId,
    sessionTimeout,
    heartbeatInterval: Math.floor(sessionTimeout / 10),
    autocommit: false,
    autocreateTopics: false,
    maxBytesPerPartition,
  });
  const topics = [...options.topics];
  let stream: Awaited<ReturnType<typeof consumer.consume>>;
  try {
    // A new group reads every record already in the topic, not only what arrives after it joined.
    stream = await consumer.consume({ topics, mode: MessagesStreamModes.COMMITTED, fallbackMode: MessagesStreamFallbackModes.EARLIEST, autocommit: false });
  } catch (error) {
    // A caller that retries (a topic not created yet) would otherwise leave a connection behind each time.
    await consumer.close(true).catch(() => undefined);
    throw error;
  }

  const queues = new Map<string, PartitionQueue>();
  /** Above this many queued records the stream pauses, so memory stays bounded by the handlers' pace. */
  const highWater = chunkSize * concurrency * 2;
  let queued = 0;
  let active = 0;
  let stopping = false;
  let pumpScheduled = false;
  let idle: (() => void) | undefined;

  const owned = (q: PartitionQueue) => consumer.assignments?.some((a) => a.topic === q.topic && a.partitions.includes(q.partition)) ?? false;
  const drop = (q: PartitionQueue) => {
    queued -= q.records.length;
    q.records = [];
  };

  const schedulePump = () => {
    if (pumpScheduled || stopping) return;
    pumpScheduled = true;
    // After the rest of the fetch response is queued, so a chunk is as full as the fetch allows.
    setImmediate(() => {
      pumpScheduled = false;
      for (const q of queues.values()) {
        if (active >= concurrency) break;
        if (!q.busy && q.records.length > 0) void run(q);
      }
    });
  };

  const run = async (q: PartitionQueue) => {
    q.busy = true;
    active += 1;
    const slice = q.records.splice(0, chunkSize);
    queued -= slice.length;
    if (stream.isPaused() && queued < highWater / 2) stream.resume();
    try {
      if (!owned(q)) {
        drop(q);
        return;
      }
      const heartbeat = async () => {
        if (!owned(q)) throw new Error(`partition ${q.partition} of ${q.topic} was assigned to another member`);
      };
      try {
        await options.handle({ topic: q.topic, partition: q.partition, records: slice.map(toRecord) }, heartbeat);
      } catch {
        // Not handled: the chunk waits at the head of its partition, unless the partition is gone or we stop.
        if (stopping || !owned(q)) return;
        q.records.unshift(...slice);
        queued += slice.length;
        await new Promise((resolve) => setTimeout(resolve, RETRY_CHUNK_MS));
        return;
      }
      // A commit refused because the group moved on destroys the stream; the member is then replaced.
      await (slice[slice.length - 1] as Message).commit();
    } catch {
      // The stream's error handler gives the member up.
    } finally {
      q.busy = false;
      active -= 1;
      if (stopping && active === 0) idle?.();
      schedulePump();
    }
  };

  stream.on('data', (message: Message) => {
    // Records fetched for a generation that has ended are fetched again from the committed offsets.
    if ((message.metadata as { consumer?: { generationId?: number } }).consumer?.generationId !== consumer.generationId) return;
    const key = `${message.topic}\0${message.partition}`;
    let q = queues.get(key);
    if (!q) queues.set(key, (q = { topic: message.topic, partition: message.partition, records: [], busy: false }));
    q.records.push(message);
    queued += 1;
    if (queued >= highWater) stream.pause();
    schedulePump();
  });
  // A new generation refetches every assigned partition from its committed offset: what is queued would come twice.
  consumer.on('consumer:group:join', () => {
    for (const q of queues.values()) drop(q);
  });

  let gaveUp = false;
  const giveUp = () => {
    if (gaveUp || stopping) return;
    gaveUp = true;
    stopping = true;
    void consumer.close(true).catch(() => undefined);
    onGiveUp();
  };
  stream.on('error', giveUp);
  stream.on('close', giveUp);

  if (options.onLag) {
    const onLag = options.onLag;
    consumer.on('consumer:lag', (lag) => {
      for (const [topic, partitions] of lag) partitions.forEach((value, partition) => value >= 0n && onLag(topic, partition, Number(value)));
    });
    consumer.startLagMonitoring({ topics }, LAG_EVERY_MS);
  }

  return {
    stop: async () => {
      if (gaveUp) return;
      stopping = true;
      stream.pause();
      if (active > 0) await new Promise<void>((resolve) => (idle = resolve));
      gaveUp = true;
      consumer.stopLagMonitoring();
      await stream.close();
      await consumer.close();
    },
  };
}
