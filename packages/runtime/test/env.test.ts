import { KafkaEnv, MongoEnv } from '@docpipe/contract';
import { Type } from 'typebox';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, kafkaConnection, loadEnv } from '../src/env.js';

const schema = Type.Object({ ...KafkaEnv, ...MongoEnv, PORT: Type.Integer({ default: 8080, minimum: 1, maximum: 65535 }) });

describe('loadEnv', () => {
  it('applies defaults and coerces types', () => {
    const env = loadEnv(schema, { KAFKA_BROKERS: 'a:1, b:2', MONGODB_URI: 'mongodb://x', PORT: '9000' });
    expect(env.PORT).toBe(9000);
    expect(env.KAFKA_SSL).toBe(false);
    expect(env.MONGODB_DATABASE).toBe('docpipe');
  });

  it('reads only the env it is given, not process.env', () => {
    vi.stubEnv('KAFKA_BROKERS', 'from-process:1');
    try {
      expect(() => loadEnv(schema, { MONGODB_URI: 'mongodb://x' })).toThrow(/KAFKA_BROKERS/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('names every missing or malformed variable', () => {
    expect(() => loadEnv(schema, { MONGODB_URI: 'http://x', PORT: 'eighty' })).toThrow(ConfigError);
    try {
      loadEnv(schema, { MONGODB_URI: 'http://x', PORT: 'eighty' });
    } catch (error) {
      expect((error as Error).message).toMatch(/KAFKA_BROKERS/);
      expect((error as Error).message).toMatch(/MONGODB_URI/);
      expect((error as Error).message).toMatch(/PORT/);
    }
  });
});

describe('kafkaConnection', () => {
  const base = { KAFKA_BROKERS: 'a:1,,b:2 ', KAFKA_SSL: false };

  it('splits brokers and leaves SASL off without credentials', () => {
    const c = kafkaConnection(base, 'ingest');
    expect(c.brokers).toEqual(['a:1', 'b:2']);
    expect(c.clientId).toBe('ingest');
    expect(c.sasl).toBeUndefined();
  });

  it('refuses half a SASL configuration', () => {
    expect(() => kafkaConnection({ ...base, KAFKA_SASL_USERNAME: 'u' }, 'ingest')).toThrow(/KAFKA_SASL_PASSWORD/);
  });
});
