import { envSchema } from 'env-schema';
import { Type, type Static, type TObject, type TProperties } from 'typebox';

/** A configuration problem found at boot; the service prints it and exits non-zero. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Validates env against a schema (with defaults and type coercion) and fails fast with a message
 * that names every bad variable. Only a service's config.ts calls this.
 */
export function loadEnv<T extends TObject>(schema: T, env: NodeJS.ProcessEnv = process.env): Static<T> {
  try {
    // env: false, or env-schema would merge process.env under `env` and a caller's env would not be the whole input.
    return envSchema<Static<T>>({ schema, data: env, env: false, dotenv: false });
  } catch (error) {
    throw new ConfigError(`invalid configuration: ${(error as Error).message}`);
  }
}

/** Splits a comma-separated list, dropping blanks. */
export function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

const nonEmpty = (options: object = {}) => Type.String({ minLength: 1, ...options });

/** Env shared by every service. */
export const CommonEnv = {
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), {
    default: 'info',
  }),
} satisfies TProperties;

/** Env of the services that talk to Kafka (see docs/architecture.md). */
export const KafkaEnv = {
  KAFKA_BROKERS: nonEmpty({ description: 'comma-separated host:port list' }),
  KAFKA_CLIENT_ID: Type.Optional(nonEmpty()),
  KAFKA_SASL_USERNAME: Type.Optional(nonEmpty()),
  KAFKA_SASL_PASSWORD: Type.Optional(nonEmpty()),
  KAFKA_SSL: Type.Boolean({ default: false }),
  KAFKA_TOPIC_DOCUMENTS: nonEmpty({ default: 'documents' }),
  KAFKA_TOPIC_REJECTED: nonEmpty({ default: 'documents.rejected' }),
} satisfies TProperties;

export const MongoEnv = {
  MONGODB_URI: nonEmpty({ pattern: '^mongodb(\\+srv)?://' }),
  MONGODB_DATABASE: nonEmpty({ default: 'docpipe' }),
} satisfies TProperties;

export const PostgresEnv = {
  DATABASE_URL: nonEmpty({ pattern: '^postgres(ql)?://' }),
} satisfies TProperties;

type KafkaEnvValues = Static<TObject<typeof KafkaEnv>>;

/** Kafka client options from the validated env; SASL needs both halves or neither. */
export function kafkaConnection(env: KafkaEnvValues, defaultClientId: string) {
  const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = env;
  if ((username === undefined) !== (password === undefined)) {
    throw new ConfigError('invalid configuration: set both KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD, or neither');
  }
  return {
    brokers: splitList(env.KAFKA_BROKERS),
    clientId: env.KAFKA_CLIENT_ID ?? defaultClientId,
    sasl: username && password ? { username, password } : undefined,
    ssl: env.KAFKA_SSL,
    topics: { documents: env.KAFKA_TOPIC_DOCUMENTS, rejected: env.KAFKA_TOPIC_REJECTED },
  };
}
