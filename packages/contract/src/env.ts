// Every variable a part reads, with its default. The services validate their env against these
// schemas, and cdk8s/test/service-env.test.ts runs each manifest's env through the services, so a
// default written here is the only one.
import { fileURLToPath } from 'node:url';
import { Type, type TProperties } from 'typebox';
import { CONSUMER_GROUP, MONGODB_SECRETS, PORTS, POSTGRES_APP_ROLE } from './service.js';

const KiB = 1024;
const MiB = 1024 * KiB;

const nonEmpty = (options: object = {}) => Type.String({ minLength: 1, ...options });
const integer = (defaultValue: number, minimum: number, maximum: number, description?: string) =>
  Type.Integer({ default: defaultValue, minimum, maximum, ...(description ? { description } : {}) });

/** A duration like 500ms, 30s, 1m or 1h: the amount and the unit are the two groups. */
export const DURATION_PATTERN = '^([0-9]+)(ms|s|m|h)$';

/** Env shared by every service. */
export const CommonEnv = {
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), {
    default: 'info',
  }),
} satisfies TProperties;

/** The client libraries @docpipe/kafka drives. */
export const KAFKA_LIBRARIES = ['kafkajs', 'platformatic'] as const;
export type KafkaLibrary = (typeof KAFKA_LIBRARIES)[number];
/** Chosen by measurement: the README's "The Kafka client" has the figures. */
export const DEFAULT_KAFKA_LIBRARY: KafkaLibrary = 'platformatic';

/** Env of the services that talk to Kafka (see docs/architecture.md). */
export const KafkaEnv = {
  KAFKA_BROKERS: nonEmpty({ description: 'comma-separated host:port list' }),
  KAFKA_LIBRARY: Type.Union(
    KAFKA_LIBRARIES.map((l) => Type.Literal(l)),
    { default: DEFAULT_KAFKA_LIBRARY, description: 'the client library of the producer and the consumer: kafkajs or @platformatic/kafka' },
  ),
  KAFKA_CLIENT_ID: Type.Optional(nonEmpty()),
  KAFKA_SASL_USERNAME: Type.Optional(nonEmpty()),
  KAFKA_SASL_PASSWORD: Type.Optional(nonEmpty()),
  KAFKA_SSL: Type.Boolean({ default: false }),
  KAFKA_CA_FILE: Type.Optional(
    nonEmpty({ description: "PEM file of the CA that signed the brokers' certificates (Strimzi's cluster CA), trusted instead of the system's; needs KAFKA_SSL" }),
  ),
} satisfies TProperties;

/** Env of the services that serve DocumentPipelines. */
export const PipelinesEnv = {
  PIPELINES_DIR: nonEmpty({ description: 'folder of the *.yaml DocumentPipeline specs, loaded and watched' }),
  // Only the local stack sets it: in a cluster, topics exist only as KafkaTopic resources.
  KAFKA_CREATE_TOPICS: Type.Boolean({ default: false, description: "create a loaded pipeline's topics" }),
  // With KAFKA_CREATE_TOPICS on a broker with ACLs, the local stack stands in for the operator: its
  // super user creates the topics and grants the service's own user what its KafkaUser grants.
  KAFKA_ADMIN_SASL_USERNAME: Type.Optional(
    nonEmpty({ description: "a super user that creates the topics and grants KAFKA_SASL_USERNAME its pipelines' ACLs; read only with KAFKA_CREATE_TOPICS" }),
  ),
  KAFKA_ADMIN_SASL_PASSWORD: Type.Optional(nonEmpty()),
} satisfies TProperties;

export const MongoEnv = {
  MONGODB_URI: nonEmpty({ pattern: '^mongodb(\\+srv)?://' }),
  MONGODB_DATABASE: nonEmpty({ default: 'docpipe' }),
} satisfies TProperties;

export const PostgresEnv = {
  DATABASE_URL: nonEmpty({ pattern: '^postgres(ql)?://' }),
} satisfies TProperties;

/** Every variable ingest reads; services/ingest/README.md documents each one. */
export const IngestEnv = Type.Object({
  ...CommonEnv,
  ...KafkaEnv,
  ...PipelinesEnv,
  ...MongoEnv,
  ...PostgresEnv,
  HOST: nonEmpty({ default: '0.0.0.0' }),
  PORT: integer(PORTS.ingestHttp, 1, 65535),
  TRUST_PROXY: Type.String({ default: 'false' }),
  JWT_KEYS: nonEmpty(),
  JWT_ISSUER: nonEmpty({ default: 'docpipe' }),
  JWT_AUDIENCE: nonEmpty({ default: 'docpipe-api' }),
  JWT_TTL_SECONDS: integer(3600, 60, 7 * 24 * 3600),
  ADMIN_USERNAMES: Type.String({ default: '', description: 'comma-separated usernames whose tokens carry the admin role' }),
  // `none` exists only so the benchmark can measure what authentication costs (bench/README.md).
  // It is never the default and no manifest sets it.
  AUTH_MODE: Type.Union([Type.Literal('jwt'), Type.Literal('none')], { default: 'jwt' }),
  DOCUMENT_MAX_BYTES: integer(64 * KiB, KiB, 16 * MiB),
  BATCH_MAX_DOCUMENTS: integer(10_000, 1, 1_000_000),
  BATCH_MAX_BYTES: integer(10 * MiB, KiB, 256 * MiB),
  KAFKA_ACK_TIMEOUT_MS: integer(5000, 100, 120_000),
  KAFKA_LINGER_MS: integer(2, 0, 1000),
  KAFKA_MAX_QUEUED_RECORDS: integer(100_000, 1000, 10_000_000),
  PG_POOL_MAX: integer(10, 1, 200),
  HASH_CONCURRENCY: integer(2, 1, 64),
  HASH_QUEUE_MAX: integer(32, 0, 10_000),
  TOKEN_RATE_LIMIT_MAX: integer(10, 1, 1_000_000),
  TOKEN_RATE_LIMIT_WINDOW: Type.String({ pattern: DURATION_PATTERN, default: '1m' }),
});

/** Every variable the consumer reads; services/consumer/README.md documents each one. */
export const ConsumerEnv = Type.Object({
  ...CommonEnv,
  ...KafkaEnv,
  ...PipelinesEnv,
  ...MongoEnv,
  KAFKA_GROUP_ID: nonEmpty({ default: CONSUMER_GROUP }),
  METRICS_PORT: integer(PORTS.consumerMetrics, 0, 65535, 'port of /metrics, /healthz, /readyz; 0 picks a free one'),
  CONSUMER_CHUNK_SIZE: integer(1000, 1, 100_000, 'records per insertMany'),
  CONSUMER_PARTITIONS_CONCURRENTLY: integer(3, 1, 1000, 'partitions handled at the same time'),
  CONSUMER_MAX_BYTES_PER_PARTITION: integer(MiB, KiB, 64 * MiB, 'bytes fetched per partition and request'),
  CONSUMER_SESSION_TIMEOUT_MS: integer(30_000, 6_000, 300_000, 'group session timeout'),
  CONSUMER_RETRY_INITIAL_MS: integer(100, 1, 60_000, 'first retry delay cap of a failed write'),
  CONSUMER_RETRY_MAX_MS: integer(10_000, 1, 300_000, 'largest retry delay of a failed write'),
  CONSUMER_STOP_TIMEOUT_MS: integer(15_000, 0, 600_000, 'how long a stop waits for a failing write before giving up'),
});

/** The folder a FERRETDB_SQLITE_URL names (`file:/path/`, FerretDB's query parameters aside), with its trailing slash. */
export function ferretdbSqliteDirectory(sqliteUrl: string): string {
  const path = fileURLToPath(new URL(sqliteUrl));
  return path.endsWith('/') ? path : `${path}/`;
}

/** Every variable the jobs read, `migrate` included. */
export const JobsEnv = Type.Object({
  ...CommonEnv,
  ...PostgresEnv,
  // Only the cluster sets it: locally the services keep the migrating user.
  POSTGRES_APP_PASSWORD: Type.Optional(
    nonEmpty({ description: `password \`migrate\` gives the application role ${POSTGRES_APP_ROLE} (and LOGIN); unset, the role is left as it is` }),
  ),
  // FerretDB's own names for its -postgresql-url and -sqlite-url: at most one is set, the backend
  // the store runs on; with mongod neither is (docs/store-lookups.md).
  FERRETDB_POSTGRESQL_URL: Type.Optional(
    nonEmpty({
      pattern: '^postgres(ql)?://',
      description: 'the PostgreSQL database FerretDB keeps the documents in; set, migrate and schedule give every collection an index for {_id} lookups',
    }),
  ),
  FERRETDB_SQLITE_URL: Type.Optional(
    nonEmpty({
      pattern: '^file:/',
      description: "the folder of FerretDB's SQLite files, as its -sqlite-url with an absolute path; set, migrate and schedule give every collection an _id index its {_id} lookups use",
    }),
  ),
  MONGODB_DATABASE: MongoEnv.MONGODB_DATABASE,
});

/** Every variable the operator reads; services/operator/README.md documents each one. */
export const OperatorEnv = Type.Object({
  ...CommonEnv,
  HOST: nonEmpty({ default: '0.0.0.0' }),
  PORT: integer(PORTS.operatorHttp, 0, 65535, 'port of /metrics, /healthz, /readyz; 0 picks a free one'),
  WATCH_NAMESPACE: nonEmpty({ description: 'the namespace whose DocumentPipelines are reconciled, and where their children go' }),
  POD_NAME: Type.Optional(nonEmpty({ description: "this replica's identity in the leader Lease; default: the host name, which in a pod is the pod's name" })),
  LEASE_NAME: nonEmpty({ default: 'docpipe-operator' }),
  LEASE_DURATION_SECONDS: integer(15, 2, 600, 'how long a leader that stopped renewing keeps the Lease'),
  LEASE_RETRY_SECONDS: integer(2, 1, 60, 'how often the leader renews and a candidate tries'),
  RESYNC_SECONDS: integer(300, 1, 86_400, 'every pipeline is reconciled at least this often, events or not'),
  RECONCILE_WORKERS: integer(2, 1, 32, 'pipelines reconciled at the same time (one key is never reconciled twice at once)'),
  KAFKA_CLUSTER: nonEmpty({ default: 'docpipe', description: 'the Strimzi Kafka cluster of the KafkaTopics and KafkaUsers' }),
  KAFKA_BROKERS: nonEmpty({ description: "bootstrap address the pipelines' consumers and KEDA use" }),
  KAFKA_TLS: Type.Boolean({ default: false, description: "the consumers and KEDA reach Kafka over TLS, trusting Strimzi's cluster CA" }),
  KAFKA_TOPIC_REPLICAS: integer(1, 1, 32),
  KAFKA_MIN_INSYNC_REPLICAS: integer(1, 1, 32),
  CONSUMER_IMAGE: nonEmpty({ pattern: ':[A-Za-z0-9_.-]+$|@sha256:', description: 'the docpipe/consumer image of every pipeline consumer, pinned' }),
  CONSUMER_IMAGE_PULL_POLICY: Type.Union([Type.Literal('IfNotPresent'), Type.Literal('Never')], { default: 'IfNotPresent', description: 'Never for images loaded into kind' }),
  CONSUMER_CPU_REQUEST_MILLIS: integer(50, 1, 64_000, 'CPU each pipeline consumer container requests'),
  CONSUMER_CPU_LIMIT_MILLIS: integer(500, 1, 64_000),
  CONSUMER_MEMORY_REQUEST_MIB: integer(128, 16, 262_144),
  CONSUMER_MEMORY_LIMIT_MIB: integer(384, 16, 262_144),
  MONGODB_HOSTS: nonEmpty({ description: "comma-separated host:port of the members the consumers connect to" }),
  MONGODB_REPLICA_SET: Type.Optional(nonEmpty()),
  MONGODB_DATABASE: nonEmpty({ default: 'docpipe' }),
  MONGODB_SECRET: nonEmpty({ default: MONGODB_SECRETS.app, description: "the Secret with the consumers' username and password" }),
  // Unset, deletionPolicy Delete keeps the collections and says so in an Event.
  MONGODB_URI: Type.Optional(nonEmpty({ pattern: '^mongodb(\\+srv)?://', description: 'where deletionPolicy Delete drops collections' })),
});
