// The local broker's ACLs bite as the cluster's do: each service's user, granted what the contract
// grants it (the KafkaUser resources are made from the same bindings), can do that and nothing else.
import { randomBytes } from 'node:crypto';
import { stackKafkaEnv } from '@docpipe/testing';
import { Kafka as KafkaJs, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createKafkaClient, ensureTopics, grantAccess, type Kafka } from '../src/index.js';
import { env, grantedPipeline, silent } from './pipeline-fixture.js';

/**
 * A client of the stack's brokers as the part's own user. kafkajs tells a refused group only in a
 * debug line, then reports that no coordinator was found: `refusals` collects the error types its
 * debug lines name.
 */
function clientAs(part: 'ingest' | 'consumer'): { kafka: Kafka; refusals: Set<string> } {
  const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = stackKafkaEnv(part);
  const refusals = new Set<string>();
  const kafka = new KafkaJs({
    brokers: env.KAFKA_BROKERS.split(','),
    clientId: `acl-it-${part}`,
    sasl: { mechanism: 'scram-sha-512', username: username!, password: password! },
    logLevel: logLevel.DEBUG,
    logCreator: () => (entry) => {
      const type = (entry.log['error'] as { type?: string } | undefined)?.type;
      if (type) refusals.add(type);
    },
  });
  return { kafka, refusals };
}

/** The types of an error and of those it wraps: kafkajs nests a refusal in retries and aggregates. */
function typesOf(error: unknown): string[] {
  if (typeof error !== 'object' || error === null) return [];
  const e = error as { type?: string; cause?: unknown; errors?: unknown[]; topicErrors?: unknown[] };
  return [...(e.type ? [e.type] : []), ...typesOf(e.cause), ...[...(e.errors ?? []), ...(e.topicErrors ?? [])].flatMap(typesOf)];
}

async function produce(kafka: Kafka, topic: string): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ value: 'x' }] });
  } finally {
    await producer.disconnect();
  }
}

/** Joins `group` and reads `topic` from the start until one record arrives. */
async function consumeOne(kafka: Kafka, topic: string, group: string): Promise<string> {
  const consumer = kafka.consumer({ groupId: group, retry: { retries: 0 } });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    return await new Promise<string>((resolve, reject) => {
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

/** The types of the errors a refused call met, from the error itself and from kafkajs' debug lines. */
async function refusal(client: { refusals: Set<string> }, call: Promise<unknown>): Promise<string[]> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) throw new Error('the call was allowed');
  return [...typesOf(error), ...client.refusals];
}

describe('the local broker, with the ACLs the contract grants', () => {
  const suffix = randomBytes(4).toString('hex');
  const group = `acl-it-consumer-${suffix}`;
  // What ingest and the consumer grant themselves on the local stack when they load a pipeline.
  const { resources, admin } = grantedPipeline(`acl-it-${suffix}`, group, 1);
  const { documents, rejected, deadletter } = resources.topics;

  it('lets ingest write documents and rejections, and the consumer read them', async () => {
    await produce(clientAs('ingest').kafka, documents);
    await produce(clientAs('ingest').kafka, rejected);
    await expect(consumeOne(clientAs('consumer').kafka, documents, group)).resolves.toBe('x');
  });

  it('refuses ingest a consumer group', async () => {
    const ingest = clientAs('ingest');
    expect(await refusal(ingest, consumeOne(ingest.kafka, documents, `acl-it-ingest-${suffix}`))).toContain('GROUP_AUTHORIZATION_FAILED');
  });

  it('refuses ingest reading the documents, even in a group it may join', async () => {
    // A group granted here alone, so that what is refused is the topic.
    const ingestGroup = `acl-it-ingest-own-${suffix}`;
    await grantAccess(admin, env.DOCPIPE_KAFKA_INGEST_SASL_USERNAME, { topics: [], groups: [ingestGroup] });
    const ingest = clientAs('ingest');
    expect(await refusal(ingest, consumeOne(ingest.kafka, documents, ingestGroup))).toContain('TOPIC_AUTHORIZATION_FAILED');
  });

  it('refuses the consumer writing to the documents topic, and ingest to the dead letters', async () => {
    const consumer = clientAs('consumer');
    expect(await refusal(consumer, produce(consumer.kafka, documents))).toContain('TOPIC_AUTHORIZATION_FAILED');
    const ingest = clientAs('ingest');
    expect(await refusal(ingest, produce(ingest.kafka, deadletter))).toContain('TOPIC_AUTHORIZATION_FAILED');
  });

  it("refuses the consumer a group that is not its pipeline's", async () => {
    const consumer = clientAs('consumer');
    expect(await refusal(consumer, consumeOne(consumer.kafka, documents, `other-${group}`))).toContain('GROUP_AUTHORIZATION_FAILED');
  });

  it('refuses topic creation to the services, which the operator does in a cluster', async () => {
    const ingest = clientAs('ingest');
    const refused = await refusal(ingest, ensureTopics(ingest.kafka, [{ topic: `acl-it-created-${suffix}`, partitions: 1 }]));
    expect(refused.some((type) => /^(TOPIC|CLUSTER)_AUTHORIZATION_FAILED$/.test(type))).toBe(true);
  });

  it('refuses an unknown user and a wrong password', async () => {
    const stranger = createKafkaClient({ brokers: env.KAFKA_BROKERS.split(','), clientId: 'acl-it-stranger', sasl: { username: 'stranger', password: 'guess' }, logger: silent });
    await expect(produce(stranger, documents)).rejects.toThrow(/SASL|authentication/i);
    const wrong = createKafkaClient({ brokers: env.KAFKA_BROKERS.split(','), clientId: 'acl-it-wrong', sasl: { username: env.DOCPIPE_KAFKA_INGEST_SASL_USERNAME, password: 'not-the-password' }, logger: silent });
    await expect(produce(wrong, documents)).rejects.toThrow(/SASL|authentication/i);
  });

  it('refuses a client without credentials', async () => {
    const anonymous = createKafkaClient({ brokers: env.KAFKA_BROKERS.split(','), clientId: 'acl-it-anonymous', logger: silent });
    await expect(produce(anonymous, documents)).rejects.toThrow(/connection|closed/i);
  });
});
