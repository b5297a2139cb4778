// Both client libraries behind one module, on the local broker with SCRAM and the ACLs the
// contract grants: what one writes the other reads, keys land on the same partitions, and a
// chunk's offsets are committed only once it was handled.
import { randomBytes } from 'node:crypto';
import { KAFKA_LIBRARIES, type KafkaLibrary } from '@docpipe/contract';
import { stackKafkaEnv, waitFor } from '@docpipe/testing';
import { describe, expect, it } from 'vitest';
import { createBatchingProducer, startBatchConsumer, type ConsumedRecord, type KafkaClientOptions } from '../src/index.js';
import { murmur2 } from '../src/partitioner.js';
import { env, grantedPipeline, silent } from './pipeline-fixture.js';
const PARTITIONS = 3;

/** The part's own SCRAM user on the stack, on `library`. */
function connectionAs(part: 'ingest' | 'consumer', library: KafkaLibrary): KafkaClientOptions {
  const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = stackKafkaEnv(part);
  return { brokers: env.KAFKA_BROKERS.split(','), clientId: `libraries-it-${part}`, sasl: { username: username!, password: password! }, library, logger: silent };
}

const records = (count: number, run: string) =>
  Array.from({ length: count }, (_, i) => ({ key: `${run}-${i}`, value: JSON.stringify({ i }), headers: { 'docpipe-run': run } }));

describe.each(KAFKA_LIBRARIES.flatMap((producer) => KAFKA_LIBRARIES.map((consumer) => ({ producer, consumer }))))(
  'a $producer producer and a $consumer batch consumer',
  ({ producer: producerLibrary, consumer: consumerLibrary }) => {
    const suffix = randomBytes(4).toString('hex');
    const group = `libraries-it-${suffix}`;
    const { resources, admin } = grantedPipeline(`libraries-it-${suffix}`, group, PARTITIONS);
    const { documents } = resources.topics;

    it('delivers every record once, on its key\'s partition, in chunks, and commits only what was handled', async () => {
      const producer = createBatchingProducer(connectionAs('ingest', producerLibrary));
      await producer.connect();
      const sent = records(2500, 'first');
      await Promise.all([producer.send(documents, sent.slice(0, 1000)), producer.send(documents, sent.slice(1000))]);
      await producer.disconnect();

      const seen = new Map<string, { partition: number; record: ConsumedRecord }>();
      const chunkSizes: number[] = [];
      let failures = 1;
      const consumer = await startBatchConsumer(connectionAs('consumer', consumerLibrary), {
        groupId: group,
        topics: [documents],
        chunkSize: 400,
        handle: async (chunk) => {
          // The first chunk fails once: it must come again, and nothing after it may be committed meanwhile.
          if (failures-- > 0) throw new Error('the store is away');
          chunkSizes.push(chunk.records.length);
          for (const record of chunk.records) seen.set(record.key ?? '', { partition: chunk.partition, record });
        },
      });
      try {
        await waitFor('every record', async () => seen.size === sent.length, 60_000);
      } finally {
        await consumer.stop();
      }
      expect(Math.max(...chunkSizes)).toBeLessThanOrEqual(400);
      for (const { key, value } of sent) {
        const got = seen.get(key);
        expect(got?.record.value?.toString()).toBe(value);
        expect(got?.partition).toBe((murmur2(Buffer.from(key)) & 0x7fffffff) % PARTITIONS);
        expect(Number(got?.record.timestamp)).toBeGreaterThan(Date.now() - 600_000);
      }

      // What the group committed is where the next member starts: after everything, nothing is left.
      const kafkaAdmin = admin.admin();
      await kafkaAdmin.connect();
      try {
        const [committed] = await kafkaAdmin.fetchOffsets({ groupId: group, topics: [documents] });
        const ends = await kafkaAdmin.fetchTopicOffsets(documents);
        const endOf = new Map(ends.map((p) => [p.partition, p.high]));
        expect(committed?.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([...endOf].map(([p, high]) => [p, high]).sort());
      } finally {
        await kafkaAdmin.disconnect();
      }
    });

    it('starts a new member where the last one committed, handing it only what came after', async () => {
      const producer = createBatchingProducer(connectionAs('ingest', producerLibrary));
      await producer.connect();
      const later = records(300, 'second');
      await producer.send(documents, later);
      await producer.disconnect();

      const seen: string[] = [];
      const consumer = await startBatchConsumer(connectionAs('consumer', consumerLibrary), {
        groupId: group,
        topics: [documents],
        handle: async (chunk) => void seen.push(...chunk.records.map((r) => r.key ?? '')),
      });
      try {
        await waitFor('the later records', async () => seen.length >= later.length, 60_000);
        // Long enough for a replay of the first test's records to show.
        await new Promise((resolve) => setTimeout(resolve, 1000));
      } finally {
        await consumer.stop();
      }
      expect(seen.sort()).toEqual(later.map((r) => r.key).sort());
    });

    it('refuses a wrong password', async () => {
      const wrong = { ...connectionAs('ingest', producerLibrary), sasl: { username: env.DOCPIPE_KAFKA_INGEST_SASL_USERNAME, password: 'not-the-password' } };
      const producer = createBatchingProducer(wrong);
      await expect(producer.connect()).rejects.toThrow();
      await producer.disconnect().catch(() => undefined);
    });
  },
);
