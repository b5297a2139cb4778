import { ConfigError } from '@docpipe/runtime';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { SECRET_A, unreachableEnv } from './helpers.js';

const PIPELINES_DIR = '/etc/docpipe/pipelines';
const testEnv = (overrides: NodeJS.ProcessEnv = {}) => unreachableEnv({ PIPELINES_DIR, ...overrides });

const configError = (env: NodeJS.ProcessEnv): ConfigError => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('loadConfig accepted the env');
};

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(testEnv({ KAFKA_ACK_TIMEOUT_MS: undefined }));
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      logLevel: 'info',
      trustProxy: false,
      pipelinesDir: PIPELINES_DIR,
      kafka: {
        clientId: 'ingest',
        createTopics: false,
        ackTimeoutMs: 5000,
        lingerMs: 2,
      },
      mongo: { database: 'docpipe' },
      jwt: { issuer: 'docpipe', audience: 'docpipe-api', ttlSeconds: 3600 },
      adminUsernames: [],
      limits: { documentMaxBytes: 65_536, batchMaxDocuments: 10_000, batchMaxBytes: 10_485_760 },
      hashing: { concurrency: 2, queueMax: 32 },
      tokenRateLimit: { max: 10, windowMs: 60_000 },
    });
  });

  it.each(['KAFKA_BROKERS', 'DATABASE_URL', 'MONGODB_URI', 'JWT_KEYS', 'PIPELINES_DIR'])('fails naming %s when it is missing', (name) => {
    expect(configError(testEnv({ [name]: undefined })).message).toContain(name);
  });

  it.each([
    ['PORT', 'eighty'],
    ['DATABASE_URL', 'mysql://x'],
    ['MONGODB_URI', 'http://x'],
    ['LOG_LEVEL', 'loud'],
    ['BATCH_MAX_DOCUMENTS', '0'],
    ['HASH_CONCURRENCY', 'many'],
    ['TOKEN_RATE_LIMIT_WINDOW', 'a while'],
    ['PIPELINES_DIR', ''],
    ['KAFKA_CREATE_TOPICS', 'sometimes'],
  ])('fails naming %s=%s', (name, value) => {
    expect(configError(testEnv({ [name]: value })).message).toContain(name);
  });

  it('parses durations, numbers and the trusted proxies', () => {
    const config = loadConfig(
      testEnv({ TOKEN_RATE_LIMIT_WINDOW: '30s', BATCH_MAX_DOCUMENTS: '500', TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }),
    );
    expect(config.tokenRateLimit.windowMs).toBe(30_000);
    expect(config.limits.batchMaxDocuments).toBe(500);
    expect(config.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(loadConfig(testEnv({ TRUST_PROXY: 'true' })).trustProxy).toBe(true);
  });

  it('reads the admin usernames and whether to create topics', () => {
    const config = loadConfig(testEnv({ ADMIN_USERNAMES: 'alice, ,bob', KAFKA_CREATE_TOPICS: 'true' }));
    expect(config.adminUsernames).toEqual(['alice', 'bob']);
    expect(config.kafka.createTopics).toBe(true);
  });

  it('refuses a zero-length rate limit window', () => {
    expect(configError(testEnv({ TOKEN_RATE_LIMIT_WINDOW: '0s' })).message).toContain('TOKEN_RATE_LIMIT_WINDOW');
  });

  describe('JWT_KEYS', () => {
    it('keeps the order (first signs) and secrets that contain colons', () => {
      const { keys } = loadConfig(testEnv({ JWT_KEYS: `new:${SECRET_A}:x, old:${SECRET_A}` })).jwt;
      expect(keys.map((k) => k.kid)).toEqual(['new', 'old']);
      expect(new TextDecoder().decode(keys[0].secret)).toBe(`${SECRET_A}:x`);
    });

    it('refuses a secret under 32 bytes, naming the kid but not the secret', () => {
      const message = configError(testEnv({ JWT_KEYS: `ok:${SECRET_A},weak:short-secret` })).message;
      expect(message).toContain('JWT_KEYS');
      expect(message).toContain('"weak"');
      expect(message).not.toContain('short-secret');
    });

    it.each([['no-colon-here'], [`:${SECRET_A}`], [' , ']])('refuses the malformed value %j', (value) => {
      expect(configError(testEnv({ JWT_KEYS: value })).message).toContain('JWT_KEYS');
    });

    it('refuses a kid listed twice', () => {
      expect(configError(testEnv({ JWT_KEYS: `a:${SECRET_A},a:${SECRET_A}` })).message).toMatch(/JWT_KEYS.*same kid/);
    });
  });

  it('refuses half a SASL configuration', () => {
    expect(configError(testEnv({ KAFKA_SASL_USERNAME: 'ingest' })).message).toContain('KAFKA_SASL_PASSWORD');
  });
});
