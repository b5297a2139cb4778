import { DURATION_PATTERN, IngestEnv } from '@docpipe/contract';
import { ConfigError, kafkaConnection, kafkaProvisioning, loadEnv, splitList } from '@docpipe/runtime';
import type { Static } from 'typebox';

const DURATION = new RegExp(DURATION_PATTERN);
const DURATION_UNITS_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

type IngestEnvValues = Static<typeof IngestEnv>;

export interface JwtKey {
  readonly kid: string;
  /** The UTF-8 bytes of the secret as written in JWT_KEYS. */
  readonly secret: Uint8Array;
}

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  readonly trustProxy: boolean | string[];
  /** The folder of DocumentPipeline specs that ingest loads and watches. */
  readonly pipelinesDir: string;
  /** createTopics: the local stack creates a loaded pipeline's topics (a cluster has them as KafkaTopics). */
  readonly kafka: ReturnType<typeof kafkaConnection> & ReturnType<typeof kafkaProvisioning> & {
    readonly ackTimeoutMs: number;
    readonly lingerMs: number;
    readonly maxQueuedRecords: number;
  };
  readonly postgres: { readonly url: string; readonly poolMax: number };
  readonly mongo: { readonly uri: string; readonly database: string };
  readonly jwt: {
    /** The first key signs; every key verifies, so a rotated-out key keeps working until removed. */
    readonly keys: readonly [JwtKey, ...JwtKey[]];
    readonly issuer: string;
    readonly audience: string;
    readonly ttlSeconds: number;
  };
  /** Users whose tokens carry the `admin` role: they may replay rejected documents. */
  readonly adminUsernames: string[];
  /** `none`: BENCHMARKS ONLY. The document routes take every request as BENCHMARK_OWNER, without a token. */
  readonly authMode: 'jwt' | 'none';
  readonly limits: {
    readonly documentMaxBytes: number;
    readonly batchMaxDocuments: number;
    readonly batchMaxBytes: number;
  };
  readonly hashing: { readonly concurrency: number; readonly queueMax: number };
  readonly tokenRateLimit: { readonly max: number; readonly windowMs: number };
}

/** HMAC-SHA256 keys shorter than the hash output weaken the signature (RFC 7518 §3.2). */
const MIN_SECRET_BYTES = 32;

function parseJwtKeys(value: string): Config['jwt']['keys'] {
  const keys = splitList(value).map((entry): JwtKey => {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new ConfigError('invalid configuration: JWT_KEYS entries must look like kid:secret');
    const kid = entry.slice(0, colon);
    const secret = new TextEncoder().encode(entry.slice(colon + 1));
    if (secret.byteLength < MIN_SECRET_BYTES) {
      throw new ConfigError(
        `invalid configuration: JWT_KEYS secret of kid "${kid}" has ${secret.byteLength} bytes, at least ${MIN_SECRET_BYTES} are required`,
      );
    }
    return { kid, secret };
  });
  const [first, ...rest] = keys;
  if (!first) throw new ConfigError('invalid configuration: JWT_KEYS holds no key');
  if (new Set(keys.map((k) => k.kid)).size !== keys.length) {
    throw new ConfigError('invalid configuration: JWT_KEYS has the same kid twice');
  }
  return [first, ...rest];
}

function parseDuration(name: string, value: string): number {
  const match = DURATION.exec(value);
  const ms = match ? Number(match[1]) * DURATION_UNITS_MS[match[2] as keyof typeof DURATION_UNITS_MS] : 0;
  if (ms <= 0) throw new ConfigError(`invalid configuration: ${name} must be a positive duration like 500ms, 30s, 1m or 1h`);
  return ms;
}

/**
 * Fastify's trustProxy: off by default, because trusting X-Forwarded-For from anyone would let a
 * client choose the IP that the token rate limit counts against.
 */
function parseTrustProxy(value: string): Config['trustProxy'] {
  if (value === 'false' || value === '') return false;
  if (value === 'true') return true;
  return splitList(value);
}

/** Reads and validates the environment; throws ConfigError naming the variable that is wrong. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e: IngestEnvValues = loadEnv(IngestEnv, env);
  return {
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    pipelinesDir: e.PIPELINES_DIR,
    kafka: {
      ...kafkaConnection(e, 'ingest'),
      ...kafkaProvisioning(e),
      ackTimeoutMs: e.KAFKA_ACK_TIMEOUT_MS,
      lingerMs: e.KAFKA_LINGER_MS,
      maxQueuedRecords: e.KAFKA_MAX_QUEUED_RECORDS,
    },
    postgres: { url: e.DATABASE_URL, poolMax: e.PG_POOL_MAX },
    mongo: { uri: e.MONGODB_URI, database: e.MONGODB_DATABASE },
    jwt: {
      keys: parseJwtKeys(e.JWT_KEYS),
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      ttlSeconds: e.JWT_TTL_SECONDS,
    },
    adminUsernames: splitList(e.ADMIN_USERNAMES),
    authMode: e.AUTH_MODE,
    limits: {
      documentMaxBytes: e.DOCUMENT_MAX_BYTES,
      batchMaxDocuments: e.BATCH_MAX_DOCUMENTS,
      batchMaxBytes: e.BATCH_MAX_BYTES,
    },
    hashing: { concurrency: e.HASH_CONCURRENCY, queueMax: e.HASH_QUEUE_MAX },
    tokenRateLimit: { max: e.TOKEN_RATE_LIMIT_MAX, windowMs: parseDuration('TOKEN_RATE_LIMIT_WINDOW', e.TOKEN_RATE_LIMIT_WINDOW) },
  };
}
