import type { KafkaEnv, PipelinesEnv } from '@docpipe/contract';
import { envSchema } from 'env-schema';
import type { Static, TObject } from 'typebox';

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

type KafkaEnvValues = Static<TObject<typeof KafkaEnv>>;

/** Kafka client options from the validated env; SASL needs both halves or neither, a CA needs TLS. */
export function kafkaConnection(env: KafkaEnvValues, defaultClientId: string) {
  const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password, KAFKA_CA_FILE: caFile } = env;
  if ((username === undefined) !== (password === undefined)) {
    throw new ConfigError('invalid configuration: set both KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD, or neither');
  }
  if (caFile !== undefined && !env.KAFKA_SSL) {
    throw new ConfigError('invalid configuration: KAFKA_CA_FILE is only read with KAFKA_SSL=true');
  }
  return {
    brokers: splitList(env.KAFKA_BROKERS),
    library: env.KAFKA_LIBRARY,
    clientId: env.KAFKA_CLIENT_ID ?? defaultClientId,
    sasl: username && password ? { username, password } : undefined,
    ssl: env.KAFKA_SSL && caFile !== undefined ? { caFile } : env.KAFKA_SSL,
  };
}

type PipelinesEnvValues = Static<TObject<typeof PipelinesEnv>>;

/**
 * Who creates a loaded pipeline's topics (KAFKA_CREATE_TOPICS, the local stack) and grants the
 * service its ACLs: an administrator's credentials, or without them the service's own client,
 * which then grants nothing.
 */
export function kafkaProvisioning(env: KafkaEnvValues & PipelinesEnvValues) {
  const { KAFKA_ADMIN_SASL_USERNAME: username, KAFKA_ADMIN_SASL_PASSWORD: password } = env;
  if ((username === undefined) !== (password === undefined)) {
    throw new ConfigError('invalid configuration: set both KAFKA_ADMIN_SASL_USERNAME and KAFKA_ADMIN_SASL_PASSWORD, or neither');
  }
  if (username !== undefined && env.KAFKA_CREATE_TOPICS && env.KAFKA_SASL_USERNAME === undefined) {
    throw new ConfigError('invalid configuration: KAFKA_ADMIN_SASL_USERNAME grants ACLs to KAFKA_SASL_USERNAME, which is not set');
  }
  return {
    createTopics: env.KAFKA_CREATE_TOPICS,
    // Unused without KAFKA_CREATE_TOPICS: a process that creates nothing grants nothing.
    admin: env.KAFKA_CREATE_TOPICS && username && password ? { username, password } : undefined,
  };
}
