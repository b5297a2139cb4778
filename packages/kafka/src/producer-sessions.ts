import { Producer as PlatformaticProducer, ProduceAcks, type MessageToProduce } from '@platformatic/kafka';
import { CompressionTypes, type Kafka, type TopicMessages } from 'kafkajs';
import { createKafkaClient, libraryOf, platformaticConnection, type KafkaClientOptions } from './client.js';
import { KeyHashPartitioner, keyHashPartitioner } from './partitioner.js';
import { BatchingProducer, type BatchingProducerOptions, type OutgoingRecord, type ProducerSessions } from './producer.js';

/** The batching producer on the library `connection` names. */
export function createBatchingProducer(connection: KafkaClientOptions, options: BatchingProducerOptions = {}): BatchingProducer {
  const sessions = libraryOf(connection) === 'platformatic' ? platformaticSessions(connection) : kafkajsSessions(createKafkaClient(connection));
  return new BatchingProducer(sessions, options);
}

export function kafkajsSessions(kafka: Kafka): ProducerSessions {
  return (onConnection) => {
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // kafkajs' default (murmur2 of the key, as the Java client), computed without BigInt.
      createPartitioner: KeyHashPartitioner,
    });
    producer.on(producer.events.CONNECT, () => onConnection(true));
    producer.on(producer.events.DISCONNECT, () => onConnection(false));
    return {
      connect: () => producer.connect(),
      disconnect: () => producer.disconnect(),
      send: async (byTopic) => {
        const topicMessages: TopicMessages[] = [...byTopic].map(([topic, records]) => ({
          topic,
          messages: records.map((r) => ({ key: r.key, value: r.value, ...(r.headers ? { headers: { ...r.headers } } : {}) })),
        }));
        await producer.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.None });
      },
    };
  };
}

/** kafkajs' default number of retries of a request. */
const KAFKAJS_RETRIES = 5;

const bytes = (data?: string | Buffer) => (typeof data === 'string' ? Buffer.from(data) : data);

export function platformaticSessions(connection: KafkaClientOptions): ProducerSessions {
  const options = platformaticConnection(connection);
  return (onConnection) => {
    const producer = new PlatformaticProducer<string | Buffer, string | Buffer, string, string>({
      ...options,
      idempotent: true,
      acks: ProduceAcks.ALL,
      autocreateTopics: false,
      // The library retries an idempotent producer's requests without end by default, a refused
      // password included; bounded like kafkajs', a connect fails and a send reports its failure.
      retries: KAFKAJS_RETRIES,
      serializers: { key: bytes, value: bytes, headerKey: bytes, headerValue: bytes },
      partitioner: keyHashPartitioner(),
    });
    return {
      connect: async () => {
        // As kafkajs' connect(): connected once the brokers answer, then the producer id. A user
        // whose ACLs are still being granted gets no id yet, and a connect that fails there is
        // retried by the caller; a send meanwhile takes the id itself.
        await producer.connectToBrokers();
        onConnection(true);
        await producer.initIdempotentProducer({});
      },
      disconnect: async () => {
        onConnection(false);
        await producer.close();
      },
      send: async (byTopic) => {
        const messages: MessageToProduce<string | Buffer, string | Buffer, string, string>[] = [];
        for (const [topic, records] of byTopic) for (const record of records) messages.push(toMessage(topic, record));
        await producer.send({ messages });
      },
    };
  };
}

function toMessage(topic: string, record: OutgoingRecord): MessageToProduce<string | Buffer, string | Buffer, string, string> {
  return {
    topic,
    ...(record.key === null ? {} : { key: record.key }),
    ...(record.value === null ? {} : { value: record.value }),
    ...(record.headers ? { headers: { ...record.headers } } : {}),
  };
}
