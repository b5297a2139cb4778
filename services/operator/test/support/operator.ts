import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { startOperator, type RunningOperator } from '../../src/operator.js';
import { kubeConfigFrom, NAMESPACE, type TestCluster } from './cluster.js';

/** The env an operator replica gets in the tests: short leases, so that takeovers take seconds. */
export function operatorEnv(identity: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    LOG_LEVEL: process.env.OPERATOR_TEST_LOG_LEVEL ?? 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    WATCH_NAMESPACE: NAMESPACE,
    POD_NAME: identity,
    LEASE_DURATION_SECONDS: '4',
    LEASE_RETRY_SECONDS: '1',
    RESYNC_SECONDS: '30',
    KAFKA_BROKERS: 'docpipe-kafka-bootstrap:9092',
    CONSUMER_IMAGE: 'docpipe/consumer:dev',
    MONGODB_HOSTS: 'mongodb-0.mongodb.docpipe.svc.cluster.local:27017',
    MONGODB_REPLICA_SET: 'rs0',
    ...extra,
  };
}

/** An operator replica in this process, acting as the operator's service account. */
export function startTestOperator(cluster: TestCluster, identity: string, extra: Record<string, string> = {}): Promise<RunningOperator> {
  const config = loadConfig(operatorEnv(identity, extra));
  const log = pino({ level: config.logLevel, base: { replica: identity } });
  return startOperator(config, { kubeConfig: kubeConfigFrom(cluster.operatorKubeconfig), log });
}
