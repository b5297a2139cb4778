import type { Kafka, ProducerBatch } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { MultipleErrors, ProtocolError } from '@platformatic/kafka';
import { BatchingProducer, fatalForProducerId, KafkaUnavailableError, KafkaWriteUnknownError } from '../src/producer.js';
import { kafkajsSessions } from '../src/producer-sessions.js';

/**
 * A stand-in for kafkajs: records each produce request and acknowledges it (or fails it, or, with
 * `hold`, keeps it unanswered until released, as a paused broker does).
 */
function fakeKafka(fail?: (batch: ProducerBatch) => boolean, hold?: Promise<void>) {
  const requests: ProducerBatch[] = [];
  const listeners = new Map<string, () => void>();
  const producer = {
    events: { CONNECT: 'connect', DISCONNECT: 'disconnect' },
    on: (event: string, listener: () => void) => (listeners.set(event, listener), () => {}),
    connect: async () => listeners.get('connect')?.(),
    disconnect: async () => {},
    sendBatch: async (batch: ProducerBatch) => {
      requests.push(batch);
      await hold;
      if (fail?.(batch)) throw new Error('MESSAGE_TOO_LARGE');
      return [];
    },
  };
  return { kafka: { producer: () => producer } as unknown as Kafka, requests };
}

async function connected(kafka: Kafka, options: ConstructorParameters<typeof BatchingProducer>[1] = {}) {
  const producer = new BatchingProducer(kafkajsSessions(kafka), options);
  await producer.connect();
  return producer;
}

const record = (i: number, size = 100) => ({ key: `k${i}`, value: 'v'.repeat(size) });
const sizes = (requests: ProducerBatch[]) => requests.map((r) => r.topicMessages?.reduce((n, t) => n + t.messages.length, 0));

describe('BatchingProducer', () => {
  it('gathers concurrent sends into one request', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = await connected(kafka, { lingerMs: 5 });
    await Promise.all([producer.send('a', [record(1)]), producer.send('b', [record(2), record(3)])]);
    expect(sizes(requests)).toEqual([3]);
  });

  it('splits a send larger than maxBatchBytes over several requests and resolves when all are acked', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = await connected(kafka, { maxBatchBytes: 10_000 });
    await producer.send('a', Array.from({ length: 100 }, (_, i) => record(i, 1000)));
    expect(requests.length).toBeGreaterThan(10);
    expect(sizes(requests).reduce((a, b) => (a ?? 0) + (b ?? 0), 0)).toBe(100);
    for (const request of requests) {
      const bytes = request.topicMessages?.flatMap((t) => t.messages).reduce((n, m) => n + String(m.value).length + 66, 0) ?? 0;
      expect(bytes).toBeLessThanOrEqual(10_000);
    }
  });

  it('splits by maxBatchRecords too', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = await connected(kafka, { maxBatchRecords: 4 });
    await producer.send('a', Array.from({ length: 10 }, (_, i) => record(i)));
    expect(sizes(requests)).toEqual([4, 4, 2]);
  });

  it('rejects the whole send when one of its requests fails after it was sent: its outcome is unknown', async () => {
    const { kafka } = fakeKafka((batch) => batch.topicMessages?.[0]?.messages[0]?.key === 'k5');
    const producer = await connected(kafka, { maxBatchRecords: 5 });
    await expect(producer.send('a', Array.from({ length: 10 }, (_, i) => record(i)))).rejects.toBeInstanceOf(KafkaWriteUnknownError);
  });

  it('tells a write that may have happened from one that cannot have', async () => {
    let release = () => {};
    const { kafka, requests } = fakeKafka(undefined, new Promise<void>((resolve) => (release = resolve)));
    const producer = await connected(kafka, { ackTimeoutMs: 50, lingerMs: 0 });
    // The first send is in the request that hangs; the second waits behind it in the queue.
    const inFlight = producer.send('a', [record(1)]).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const queued = producer.send('a', [record(2)]).catch((e: unknown) => e);
    expect(await inFlight).toBeInstanceOf(KafkaWriteUnknownError);
    expect(await queued).toBeInstanceOf(KafkaUnavailableError);
    release();
    await producer.disconnect();
    // The queued record timed out before it was sent, so it is never sent at all.
    expect(requests.flatMap((r) => r.topicMessages?.flatMap((t) => t.messages.map((m) => m.key)) ?? [])).toEqual(['k1']);
  });

  it('refuses at once, as not sent, while not connected or when its queue is full', async () => {
    const { kafka, requests } = fakeKafka();
    await expect(new BatchingProducer(kafkajsSessions(kafka)).send('a', [record(1)])).rejects.toBeInstanceOf(KafkaUnavailableError);
    const full = await connected(kafka, { maxQueuedRecords: 1 });
    await expect(full.send('a', [record(1), record(2)])).rejects.toBeInstanceOf(KafkaUnavailableError);
    expect(requests).toEqual([]);
  });

  it('takes a new producer id after the broker refuses the sequence numbers, and sends the rest with it', async () => {
    // Each kafkajs producer made is one producer id; the first one's requests are refused for good.
    const made: { id: number; sent: number }[] = [];
    const kafka = {
      producer: () => {
        const self = { id: made.length, sent: 0 };
        made.push(self);
        const listeners = new Map<string, () => void>();
        return {
          events: { CONNECT: 'connect', DISCONNECT: 'disconnect' },
          on: (event: string, listener: () => void) => (listeners.set(event, listener), () => {}),
          connect: async () => listeners.get('connect')?.(),
          disconnect: async () => listeners.get('disconnect')?.(),
          sendBatch: async () => {
            self.sent += 1;
            if (self.id === 0) {
              const refusal = Object.assign(new Error('The broker received an out of order sequence number'), { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
              throw Object.assign(new Error('retries exceeded'), { name: 'KafkaJSNumberOfRetriesExceeded', cause: refusal });
            }
            return [];
          },
        };
      },
    } as unknown as Kafka;
    const producer = await connected(kafka, { lingerMs: 0 });
    await expect(producer.send('a', [record(1)])).rejects.toBeInstanceOf(KafkaWriteUnknownError);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(producer.send('a', [record(2)])).resolves.toBeUndefined();
    expect(made.map((p) => p.sent)).toEqual([1, 1]);
    await producer.disconnect();
  });

  it('keeps its producer id after a failure that does not concern it', async () => {
    let calls = 0;
    const { kafka } = fakeKafka(() => calls++ === 0);
    let made = 0;
    const counting = { producer: (...args: Parameters<Kafka['producer']>) => (made++, kafka.producer(...args)) } as unknown as Kafka;
    const producer = await connected(counting, { lingerMs: 0 });
    await expect(producer.send('a', [record(1)])).rejects.toBeInstanceOf(KafkaWriteUnknownError);
    await expect(producer.send('a', [record(2)])).resolves.toBeUndefined();
    expect(made).toBe(1);
  });

  it('takes a new producer id after @platformatic/kafka\'s refusal too, nested in its aggregated errors', async () => {
    const refusal = new MultipleErrors('Producing messages failed.', [new ProtocolError('OUT_OF_ORDER_SEQUENCE_NUMBER')]);
    expect(fatalForProducerId(refusal)).toBe(true);
    expect(fatalForProducerId(new MultipleErrors('Producing messages failed.', [new ProtocolError('NOT_LEADER_OR_FOLLOWER')]))).toBe(false);
    expect(fatalForProducerId(new Error('socket hang up'))).toBe(false);
  });
});
