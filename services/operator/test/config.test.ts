import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { operatorEnv } from './support/operator.js';

describe('the operator configuration', () => {
  it('takes the env the tests and the manifests give it', () => {
    const config = loadConfig(operatorEnv('replica-a'));
    expect(config.cluster).toMatchObject({ kafkaCluster: 'docpipe', mongodbHosts: ['mongodb-0.mongodb.docpipe.svc.cluster.local:27017'], imagePullPolicy: 'IfNotPresent' });
    expect(config.leaderElection).toEqual({ lease: 'docpipe-operator', identity: 'replica-a', leaseDurationMs: 4000, retryMs: 1000 });
    expect(config.mongodbUri).toBeUndefined();
  });

  it('refuses a lease its leader could not renew in time, naming the variables', () => {
    expect(() => loadConfig(operatorEnv('a', { LEASE_DURATION_SECONDS: '3', LEASE_RETRY_SECONDS: '2' }))).toThrow(/LEASE_RETRY_SECONDS must be at most half of LEASE_DURATION_SECONDS/);
  });

  it('refuses an unpinned consumer image and a missing namespace', () => {
    expect(() => loadConfig(operatorEnv('a', { CONSUMER_IMAGE: 'docpipe/consumer' }))).toThrow(/CONSUMER_IMAGE/);
    const { WATCH_NAMESPACE: _, ...withoutNamespace } = operatorEnv('a');
    expect(() => loadConfig(withoutNamespace)).toThrow(/WATCH_NAMESPACE/);
  });
});
