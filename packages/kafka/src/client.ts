import { readFileSync } from 'node:fs';
import { DEFAULT_KAFKA_LIBRARY, type KafkaLibrary } from '@docpipe/contract';
import type { BaseOptions } from '@platformatic/kafka';
import { Kafka, logLevel, type LogEntry, type SASLOptions } from 'kafkajs';

/** The subset of a pino logger this module needs, so callers can pass theirs. */
export interface Logger {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** SCRAM-SHA-512 credentials (a Strimzi KafkaUser); omit for an unauthenticated listener. */
  readonly sasl?: { readonly username: string; readonly password: string } | undefined;
  /** TLS; with `caFile`, the brokers' certificates must chain to that CA (Strimzi's cluster CA) rather than the system's. */
  readonly ssl?: boolean | KafkaTrust;
  readonly logger: Logger;
  /** The library of the producer and the batch consumer; administration always goes through kafkajs. */
  readonly library?: KafkaLibrary;
}

/** A PEM file of the CA to trust instead of the system's. */
export interface KafkaTrust {
  readonly caFile: string;
}

const LEVELS: Record<number, keyof Logger> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function libraryOf(options: KafkaClientOptions): KafkaLibrary {
  return options.library ?? DEFAULT_KAFKA_LIBRARY;
}

/** Read once, at start: a missing or unreadable file stops the service instead of every connection failing later. */
function tlsOf(options: KafkaClientOptions): { ca: string[] } | boolean {
  return typeof options.ssl === 'object' ? { ca: [readFileSync(options.ssl.caFile, 'utf8')] } : (options.ssl ?? false);
}

/** Creates the kafkajs client with its logs routed to the service's structured logger. */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  const sasl: SASLOptions | undefined = options.sasl
    ? { mechanism: 'scram-sha-512', username: options.sasl.username, password: options.sasl.password }
    : undefined;
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    ...(sasl ? { sasl } : {}),
    ssl: tlsOf(options),
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        options.logger[LEVELS[level] ?? 'info']({ kafka: rest }, message);
      },
  });
}

/** The same connection in @platformatic/kafka's terms: brokers, SCRAM-SHA-512 and TLS. */
export function platformaticConnection(options: KafkaClientOptions): BaseOptions {
  const tls = tlsOf(options);
  return {
    clientId: options.clientId,
    bootstrapBrokers: [...options.brokers],
    ...(options.sasl ? { sasl: { mechanism: 'SCRAM-SHA-512', username: options.sasl.username, password: options.sasl.password } } : {}),
    ...(tls === false ? {} : { tls: tls === true ? {} : tls }),
  };
}
