import { ConsumerEnv } from '@docpipe/contract';
import { ConfigError, kafkaConnection, kafkaProvisioning, loadEnv } from '@docpipe/runtime';

export interface RetryPolicy {
  /** Cap of the first delay; each further retry doubles it, up to maxDelayMs. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export interface ConsumerConfig {
  readonly logLevel: string;
  /** The folder of DocumentPipeline specs that the consumer loads and watches. */
  readonly pipelinesDir: string;
  /** createTopics: the local stack creates a loaded pipeline's topics (a cluster has them as KafkaTopics). */
  readonly kafka: ReturnType<typeof kafkaConnection> & ReturnType<typeof kafkaProvisioning>;
  readonly groupId: string;
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
    pipelinesDir: e.PIPELINES_DIR,
    kafka: { ...kafkaConnection(e, 'consumer'), ...kafkaProvisioning(e) },
    groupId: e.KAFKA_GROUP_ID,
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
