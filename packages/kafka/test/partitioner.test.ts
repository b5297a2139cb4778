import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { compatibilityPartitioner } from '@platformatic/kafka';
import { KeyHashPartitioner, keyHashPartitioner, murmur2 } from '../src/partitioner.js';

// kafkajs' own implementation, the reference: records must keep landing where they always did.
const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;

const metadata = (count: number, leader = 1) =>
  Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader, partitionErrorCode: 0, replicas: [1], isr: [1] }));
const args = (key: string | Buffer | null, partitions: number, partition?: number): PartitionerArgs => ({
  topic: 'documents',
  partitionMetadata: metadata(partitions),
  message: { key, value: 'v', ...(partition === undefined ? {} : { partition }) },
});

describe('murmur2', () => {
  it('matches the Java client (Apache Kafka UtilsTest.testMurmur2)', () => {
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(Buffer.from('abc'))).toBe(479470107);
  });

  it('equals kafkajs for every length and byte value', () => {
    for (let length = 0; length <= 64; length++) {
      for (let round = 0; round < 50; round++) {
        const bytes = randomBytes(length);
        expect(murmur2(bytes)).toBe(kafkajsMurmur2(bytes));
      }
    }
    for (let i = 0; i < 2000; i++) {
      const id = randomUUID();
      expect(murmur2(Buffer.from(id))).toBe(kafkajsMurmur2(id));
    }
  });
});

describe('KeyHashPartitioner', () => {
  it('puts every keyed record on the partition kafkajs DefaultPartitioner picks', () => {
    const ours = KeyHashPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (const partitions of [1, 3, 6, 7, 100]) {
      for (let i = 0; i < 500; i++) {
        const key = i % 2 === 0 ? randomUUID() : `${randomUUID()}:${i}:ünïcødé`;
        expect(ours(args(key, partitions))).toBe(theirs(args(key, partitions)));
        const bytes = randomBytes(i % 40);
        expect(ours(args(bytes, partitions))).toBe(theirs(args(bytes, partitions)));
      }
    }
  });

  it('keeps an explicit partition and spreads keyless records over the available partitions', () => {
    const partition = KeyHashPartitioner();
    expect(partition(args('some-key', 6, 4))).toBe(4);
    const picked = new Set(Array.from({ length: 60 }, () => partition(args(null, 6))));
    expect(picked.size).toBe(6);
  });
});

describe('keyHashPartitioner (@platformatic/kafka)', () => {
  it('puts every key on the partition kafkajs picks, and equals the library\'s Java-compatible partitioner', () => {
    const ours = keyHashPartitioner();
    const kafkajs = KeyHashPartitioner();
    for (const partitions of [1, 3, 12]) {
      for (let i = 0; i < 500; i++) {
        const key = Buffer.from(randomUUID());
        const partition = ours({}, key) % partitions;
        expect(partition).toBe(kafkajs(args(key, partitions)));
        expect(partition).toBe(compatibilityPartitioner({ topic: 'documents' }, key) % partitions);
      }
    }
  });

  it('spreads records without a key over every partition', () => {
    const ours = keyHashPartitioner();
    const seen = new Set(Array.from({ length: 6 }, () => ours({}, undefined) % 3));
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });
});
