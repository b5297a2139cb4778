export interface OutgoingRecord {
  readonly key: string | null;
  /** Bytes are sent as they are, so a dead-lettered record keeps its original value exactly. */
  readonly value: string | Buffer | null;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The records were not written and never will be: they were refused before they were sent (the
 * queue is full, the producer is not connected) or their wait ran out while they were still
 * queued, which takes them out of the queue. Sending them again is safe.
 */
export class KafkaUnavailableError extends Error {
  override readonly name = 'KafkaUnavailableError';
}

/**
 * The records were sent but Kafka did not acknowledge them in time, or the request failed after
 * it left: they may be written (the client library keeps retrying a request it sent), or not.
 * Only the same record ids sent again make a retry harmless.
 */
export class KafkaWriteUnknownError extends Error {
  override readonly name = 'KafkaWriteUnknownError';
}

export interface BatchingProducerOptions {
  /** How long a record may wait for others to share its request when no request is in flight. @default 2 */
  readonly lingerMs?: number;
  /** Most records in one produce request. @default 5000 */
  readonly maxBatchRecords?: number;
  /**
   * Longest wait for the acknowledgement: the caller then gets KafkaUnavailableError if its records
   * were still queued, KafkaWriteUnknownError if they had been sent. @default 5000
   */
  readonly ackTimeoutMs?: number;
  /** Records waiting beyond this are refused at once instead of queueing without bound. @default 100000 */
  readonly maxQueuedRecords?: number;
  /**
   * Most bytes (keys, values, headers) in one produce request. Kafka refuses a partition's record
   * batch over message.max.bytes (1 MiB by default) and retrying never helps, so a send() larger
   * than this is split over several requests. @default 921600 (900 KiB)
   */
  readonly maxBatchBytes?: number;
}

/** Between two attempts to connect a renewed producer. */
const RENEW_RETRY_MS = 1000;

/** Kafka's per-record framing (lengths, offsets, timestamps), estimated generously. */
const RECORD_OVERHEAD_BYTES = 64;

function recordBytes(record: OutgoingRecord): number {
  let bytes = RECORD_OVERHEAD_BYTES + (record.key === null ? 0 : Buffer.byteLength(record.key));
  if (record.value !== null) bytes += typeof record.value === 'string' ? Buffer.byteLength(record.value) : record.value.byteLength;
  for (const [name, value] of Object.entries(record.headers ?? {})) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

interface Pending {
  readonly topic: string;
  readonly records: readonly OutgoingRecord[];
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  timeout?: NodeJS.Timeout;
  settled: boolean;
  /** Taken into a produce request: from here on, a failure leaves its outcome unknown. */
  sent: boolean;
}

/**
 * Answers after which the broker refuses every later request of this producer id: its sequence
 * numbers no longer match what the broker holds (the broker lost the log's tail, or a request's
 * fate was never learned). A new producer id is taken, as the Java client does since KIP-360.
 * kafkajs names the answer in `type`, @platformatic/kafka in `apiId`, nested in `cause` or `errors`.
 */
const FATAL_FOR_PRODUCER_ID = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH']);

export function fatalForProducerId(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { type, apiId, cause, errors } = error as { type?: unknown; apiId?: unknown; cause?: unknown; errors?: unknown };
  if ([type, apiId].some((name) => typeof name === 'string' && FATAL_FOR_PRODUCER_ID.has(name))) return true;
  return fatalForProducerId(cause) || (Array.isArray(errors) && errors.some(fatalForProducerId));
}

/** One producer id's link to the cluster, driven by BatchingProducer; each library provides one. */
export interface ProducerSession {
  connect(): Promise<void>;
  /** One idempotent produce request, acks=all, of these records by topic. */
  send(byTopic: ReadonlyMap<string, readonly OutgoingRecord[]>): Promise<void>;
  disconnect(): Promise<void>;
}

/** Opens a new session (a new producer id); it reports when it connects and disconnects. */
export type ProducerSessions = (onConnection: (connected: boolean) => void) => ProducerSession;

/**
 * One long-lived idempotent producer (acks=all) shared by every request. Each send() would be
 * its own produce request, so records are gathered here: while one request is in flight the next
 * one fills up, which makes batches grow with load. A single request in flight keeps the
 * idempotent producer's sequence numbers in order.
 */
export class BatchingProducer {
  readonly #sessions: ProducerSessions;
  #session: ProducerSession;
  readonly #lingerMs: number;
  readonly #maxBatchRecords: number;
  readonly #ackTimeoutMs: number;
  readonly #maxQueuedRecords: number;
  readonly #maxBatchBytes: number;
  #queue: Pending[] = [];
  #queuedRecords = 0;
  #inFlight: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #connected = false;
  #closing = false;

  constructor(sessions: ProducerSessions, options: BatchingProducerOptions = {}) {
    this.#lingerMs = options.lingerMs ?? 2;
    this.#maxBatchRecords = options.maxBatchRecords ?? 5000;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 5000;
    this.#maxQueuedRecords = options.maxQueuedRecords ?? 100_000;
    this.#maxBatchBytes = options.maxBatchBytes ?? 900 * 1024;
    if (this.#maxBatchRecords < 1) throw new Error('maxBatchRecords must be at least 1');
    this.#sessions = sessions;
    this.#session = this.#open();
  }

  #open(): ProducerSession {
    // A replaced session's late events must not speak for its successor.
    const session: ProducerSession = this.#sessions((connected) => {
      if (session === this.#session) this.#connected = connected;
    });
    return session;
  }

  /**
   * Swaps in a new producer (a new producer id) and connects it, retrying until it does; sends
   * meanwhile are refused as not connected, and the queue waits for it.
   */
  async #renew(): Promise<void> {
    const old = this.#session;
    this.#session = this.#open();
    this.#connected = false;
    await old.disconnect().catch(() => undefined);
    for (;;) {
      try {
        await this.#session.connect();
        return;
      } catch {
        // Closing: what is still queued fails on the unconnected producer instead of waiting forever.
        if (this.#closing) return;
        await new Promise((resolve) => setTimeout(resolve, RENEW_RETRY_MS));
      }
    }
  }

  /** True once connected to the cluster; it does not prove the next request will succeed. */
  get connected(): boolean {
    return this.#connected;
  }

  async connect(): Promise<void> {
    await this.#session.connect();
  }

  /**
   * Resolves once Kafka acknowledged every record (acks=all). Rejects with KafkaUnavailableError
   * when none of them was sent, and with KafkaWriteUnknownError when some may have been written.
   */
  send(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    if (this.#queuedRecords + records.length > this.#maxQueuedRecords) {
      return Promise.reject(new KafkaUnavailableError('producer queue is full'));
    }
    if (!this.#connected) return Promise.reject(new KafkaUnavailableError('the producer is not connected to Kafka'));
    const acks = this.#chunks(records).map(
      (chunk) =>
        new Promise<void>((resolve, reject) => {
          const pending: Pending = { topic, records: chunk.records, bytes: chunk.bytes, resolve, reject, settled: false, sent: false };
          pending.timeout = setTimeout(
            () =>
              this.#settle(
                pending,
                pending.sent
                  ? new KafkaWriteUnknownError('Kafka did not acknowledge the write in time')
                  : new KafkaUnavailableError('Kafka did not take the records in time; they were not sent'),
              ),
            this.#ackTimeoutMs,
          );
          this.#queue.push(pending);
          this.#queuedRecords += chunk.records.length;
        }),
    );
    this.#schedule();
    return acks.length === 1 ? (acks[0] as Promise<void>) : Promise.all(acks).then(() => undefined);
  }

  /** Splits one send() into pieces that each fit in a produce request. */
  #chunks(records: readonly OutgoingRecord[]): { records: OutgoingRecord[]; bytes: number }[] {
    const chunks: { records: OutgoingRecord[]; bytes: number }[] = [];
    let current: { records: OutgoingRecord[]; bytes: number } = { records: [], bytes: 0 };
    for (const record of records) {
      const bytes = recordBytes(record);
      const full = current.records.length >= this.#maxBatchRecords || current.bytes + bytes > this.#maxBatchBytes;
      if (current.records.length > 0 && full) {
        chunks.push(current);
        current = { records: [], bytes: 0 };
      }
      current.records.push(record);
      current.bytes += bytes;
    }
    chunks.push(current);
    return chunks;
  }

  /** Sends what is queued, waits for it, then disconnects. */
  async disconnect(): Promise<void> {
    this.#closing = true;
    while (this.#queue.length > 0 || this.#inFlight) {
      await (this.#inFlight ?? this.#flush());
    }
    await this.#session.disconnect();
  }

  #settle(pending: Pending, error?: Error): void {
    if (pending.settled) return;
    pending.settled = true;
    clearTimeout(pending.timeout);
    if (error) pending.reject(error);
    else pending.resolve();
  }

  #schedule(): void {
    if (this.#inFlight || this.#timer) return;
    if (this.#queuedRecords >= this.#maxBatchRecords) {
      void this.#flush();
      return;
    }
    this.#timer = setTimeout(() => void this.#flush(), this.#lingerMs);
  }

  #takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let count = 0;
    let bytes = 0;
    let taken = 0;
    for (const next of this.#queue) {
      if (batch.length > 0 && (count + next.records.length > this.#maxBatchRecords || bytes + next.bytes > this.#maxBatchBytes)) break;
      taken += 1;
      this.#queuedRecords -= next.records.length;
      if (next.settled) continue; // timed out while queued: the caller already has its answer
      next.sent = true;
      batch.push(next);
      count += next.records.length;
      bytes += next.bytes;
    }
    this.#queue = this.#queue.slice(taken);
    return batch;
  }

  #flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#inFlight) return this.#inFlight;
    const batch = this.#takeBatch();
    if (batch.length === 0) return Promise.resolve();
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const pending of batch) {
      const records = byTopic.get(pending.topic);
      if (records) records.push(...pending.records);
      else byTopic.set(pending.topic, [...pending.records]);
    }
    this.#inFlight = this.#session
      .send(byTopic)
      .then(
        () => batch.forEach((p) => this.#settle(p)),
        (error: unknown) => {
          const cause = error instanceof Error ? error.message : String(error);
          batch.forEach((p) => this.#settle(p, new KafkaWriteUnknownError(`Kafka write failed after it was sent: ${cause}`)));
          // Kept in flight until the new producer is connected, so the queue goes to it.
          if (fatalForProducerId(error)) return this.#renew();
          return undefined;
        },
      )
      .finally(() => {
        this.#inFlight = undefined;
        // What queued up meanwhile has already waited a whole request: send it now, without linger.
        if (this.#queue.length > 0) void this.#flush();
      });
    return this.#inFlight;
  }
}
