import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

const required = { KAFKA_BROKERS: 'localhost:19092', MONGODB_URI: 'mongodb://localhost:27018', PIPELINES_DIR: '/etc/docpipe/pipelines' };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig(required)).toMatchObject({
      groupId: 'docpipe-consumer',
      metricsPort: 9464,
      pipelinesDir: '/etc/docpipe/pipelines',
      mongodb: { uri: 'mongodb://localhost:27018', database: 'docpipe' },
      kafka: {
        brokers: ['localhost:19092'],
        clientId: 'consumer',
        createTopics: false,
      },
      chunkSize: 1000,
      partitionsConcurrently: 3,
      retry: { initialDelayMs: 100, maxDelayMs: 10_000 },
    });
  });

  it('creates topics only when told to', () => {
    expect(loadConfig({ ...required, KAFKA_CREATE_TOPICS: 'true' }).kafka.createTopics).toBe(true);
  });

  it('names each bad variable', () => {
    const bad = () => loadConfig({ MONGODB_URI: 'http://x', METRICS_PORT: '70000' });
    for (const name of ['KAFKA_BROKERS', 'MONGODB_URI', 'METRICS_PORT', 'PIPELINES_DIR']) expect(bad).toThrow(name);
    expect(() => loadConfig({ ...required, PIPELINES_DIR: '' })).toThrow(/PIPELINES_DIR/);
    expect(() => loadConfig({ ...required, KAFKA_CREATE_TOPICS: 'sometimes' })).toThrow(/KAFKA_CREATE_TOPICS/);
    expect(() => loadConfig({ ...required, CONSUMER_CHUNK_SIZE: '0' })).toThrow(/CONSUMER_CHUNK_SIZE/);
    expect(() => loadConfig({ ...required, CONSUMER_RETRY_INITIAL_MS: '500', CONSUMER_RETRY_MAX_MS: '100' })).toThrow(/CONSUMER_RETRY_INITIAL_MS/);
  });
});
