import type { Kafka, ProducerBatch } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { BatchingProducer, KafkaUnavailableError } from '../src/producer.js';

/** A stand-in for kafkajs: records each produce request and acknowledges it (or fails it). */
function fakeKafka(fail?: (batch: ProducerBatch) => boolean) {
  const requests: ProducerBatch[] = [];
  const producer = {
    events: { CONNECT: 'connect', DISCONNECT: 'disconnect' },
    on: () => () => {},
    connect: async () => {},
    disconnect: async () => {},
    sendBatch: async (batch: ProducerBatch) => {
      requests.push(batch);
      if (fail?.(batch)) throw new Error('MESSAGE_TOO_LARGE');
      return [];
    },
  };
  return { kafka: { producer: () => producer } as unknown as Kafka, requests };
}

const record = (i: number, size = 100) => ({ key: `k${i}`, value: 'v'.repeat(size) });
const sizes = (requests: ProducerBatch[]) => requests.map((r) => r.topicMessages?.reduce((n, t) => n + t.messages.length, 0));

describe('BatchingProducer', () => {
  it('gathers concurrent sends into one request', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = new BatchingProducer(kafka, { lingerMs: 5 });
    await Promise.all([producer.send('a', [record(1)]), producer.send('b', [record(2), record(3)])]);
    expect(sizes(requests)).toEqual([3]);
  });

  it('splits a send larger than maxBatchBytes over several requests and resolves when all are acked', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = new BatchingProducer(kafka, { maxBatchBytes: 10_000 });
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
    const producer = new BatchingProducer(kafka, { maxBatchRecords: 4 });
    await producer.send('a', Array.from({ length: 10 }, (_, i) => record(i)));
    expect(sizes(requests)).toEqual([4, 4, 2]);
  });

  it('rejects the whole send when one of its requests fails', async () => {
    const { kafka } = fakeKafka((batch) => batch.topicMessages?.[0]?.messages[0]?.key === 'k5');
    const producer = new BatchingProducer(kafka, { maxBatchRecords: 5 });
    await expect(producer.send('a', Array.from({ length: 10 }, (_, i) => record(i)))).rejects.toBeInstanceOf(KafkaUnavailableError);
  });
});
