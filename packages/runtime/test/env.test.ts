import { KafkaEnv, MongoEnv } from '@docpipe/contract';
import { Type } from 'typebox';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, kafkaConnection, kafkaProvisioning, loadEnv } from '../src/env.js';

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

describe('kafkaProvisioning', () => {
  const base = { KAFKA_BROKERS: 'a:1', KAFKA_SSL: false, PIPELINES_DIR: '/p', KAFKA_CREATE_TOPICS: true };
  const admin = { KAFKA_ADMIN_SASL_USERNAME: 'admin', KAFKA_ADMIN_SASL_PASSWORD: 'secret' };
  const own = { KAFKA_SASL_USERNAME: 'ingest', KAFKA_SASL_PASSWORD: 'pw' };

  it('creates topics with the service itself when no administrator is given', () => {
    expect(kafkaProvisioning(base)).toEqual({ createTopics: true, admin: undefined });
  });

  it("takes the administrator's credentials to grant the service's own user", () => {
    expect(kafkaProvisioning({ ...base, ...own, ...admin }).admin).toEqual({ username: 'admin', password: 'secret' });
  });

  it('leaves the administrator unused when it creates no topics', () => {
    expect(kafkaProvisioning({ ...base, ...own, ...admin, KAFKA_CREATE_TOPICS: false }).admin).toBeUndefined();
  });

  it.each([
    [{ ...base, ...own, KAFKA_ADMIN_SASL_USERNAME: 'admin' }, /KAFKA_ADMIN_SASL_PASSWORD/],
    [{ ...base, ...admin }, /KAFKA_SASL_USERNAME, which is not set/],
  ])('refuses an administrator it could not use (%#)', (env, message) => {
    expect(() => kafkaProvisioning(env)).toThrow(ConfigError);
    expect(() => kafkaProvisioning(env)).toThrow(message);
  });
});
