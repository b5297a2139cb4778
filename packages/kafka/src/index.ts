export { createKafkaClient, type KafkaClientOptions, type Logger } from './client.js';
export { BatchingProducer, KafkaUnavailableError, KafkaWriteUnknownError, type BatchingProducerOptions, type OutgoingRecord, type ProducerSession, type ProducerSessions } from './producer.js';
export { createBatchingProducer } from './producer-sessions.js';
export { startBatchConsumer, type BatchConsumer, type BatchConsumerOptions, type ConsumedRecord, type RecordChunk } from './consumer.js';
export type { Kafka } from 'kafkajs';
export { ensureTopics, type TopicRequest } from './topics.js';
export { grantAccess } from './acls.js';
