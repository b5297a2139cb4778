import { CommonEnv, ConfigError, KafkaEnv, kafkaConnection, loadEnv, MongoEnv } from '@docpipe/runtime';
import { Type } from 'typebox';

const int = (defaultValue: number, minimum: number, maximum: number, description: string) =>
  Type.Integer({ default: defaultValue, minimum, maximum, description });

const ConsumerEnv = Type.Object({
  ...CommonEnv,
  ...KafkaEnv,
  ...MongoEnv,
  KAFKA_GROUP_ID: Type.String({ minLength: 1, default: 'docpipe-consumer' }),
  KAFKA_TOPIC_DEADLETTER: Type.String({ minLength: 1, default: 'documents.dlq' }),
  METRICS_PORT: int(9464, 0, 65535, 'port of /metrics, /healthz, /readyz; 0 picks a free one'),
  CONSUMER_CHUNK_SIZE: int(1000, 1, 100_000, 'records per insertMany'),
  CONSUMER_PARTITIONS_CONCURRENTLY: int(3, 1, 1000, 'partitions handled at the same time'),
  CONSUMER_MAX_BYTES_PER_PARTITION: int(1024 * 1024, 1024, 64 * 1024 * 1024, 'bytes fetched per partition and request'),
  CONSUMER_SESSION_TIMEOUT_MS: int(30_000, 6_000, 300_000, 'group session timeout'),
  CONSUMER_RETRY_INITIAL_MS: int(100, 1, 60_000, 'first retry delay cap of a failed write'),
  CONSUMER_RETRY_MAX_MS: int(10_000, 1, 300_000, 'largest retry delay of a failed write'),
  CONSUMER_STOP_TIMEOUT_MS: int(15_000, 0, 600_000, 'how long a stop waits for a failing write before giving up'),
});

export interface RetryPolicy {
  /** Cap of the first delay; each further retry doubles it, up to maxDelayMs. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export interface ConsumerConfig {
  readonly logLevel: string;
  readonly kafka: ReturnType<typeof kafkaConnection>;
  readonly groupId: string;
  readonly deadLetterTopic: string;
  readonly mongodb: { readonly uri: string; readonly database: string };
  readonly metricsPort: number;
  readonly chunkSize: number;
  readonly partitionsConcurrently: number;
  readonly maxBytesPerPartition: number;
  readonly sessionTimeoutMs: number;
  readonly retry: RetryPolicy;
  readonly stopTimeoutMs: number;
}

/** The only place the consumer reads the environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConsumerConfig {
  const e = loadEnv(ConsumerEnv, env);
  if (e.CONSUMER_RETRY_INITIAL_MS > e.CONSUMER_RETRY_MAX_MS) {
    throw new ConfigError('invalid configuration: CONSUMER_RETRY_INITIAL_MS must not exceed CONSUMER_RETRY_MAX_MS');
  }
  return {
    logLevel: e.LOG_LEVEL,
    kafka: kafkaConnection(e, 'consumer'),
    groupId: e.KAFKA_GROUP_ID,
    deadLetterTopic: e.KAFKA_TOPIC_DEADLETTER,
    mongodb: { uri: e.MONGODB_URI, database: e.MONGODB_DATABASE },
    metricsPort: e.METRICS_PORT,
    chunkSize: e.CONSUMER_CHUNK_SIZE,
    partitionsConcurrently: e.CONSUMER_PARTITIONS_CONCURRENTLY,
    maxBytesPerPartition: e.CONSUMER_MAX_BYTES_PER_PARTITION,
    sessionTimeoutMs: e.CONSUMER_SESSION_TIMEOUT_MS,
    retry: { initialDelayMs: e.CONSUMER_RETRY_INITIAL_MS, maxDelayMs: e.CONSUMER_RETRY_MAX_MS },
    stopTimeoutMs: e.CONSUMER_STOP_TIMEOUT_MS,
  };
}
