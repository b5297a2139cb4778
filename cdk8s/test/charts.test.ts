import './support/prepare.js';
import { kafkaUserSecret } from '@docpipe/contract';
import { App, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { buildCharts } from '../src/charts.js';
import { environments, pinnedVersions } from '../src/config.js';
import { Consumer } from '../src/constructs/consumer.js';
import { KafkaCluster } from '../src/constructs/kafka.js';
import { MongoReplicaSet } from '../src/constructs/mongodb.js';
import { envNames, id, synthCharts, synthManifests, type Manifest } from './support/manifests.js';

const find = (all: Manifest[], kind: string, name: string) => {
  const m = all.find((x) => x.kind === kind && x.metadata.name === name);
  if (!m) throw new Error(`no ${kind}/${name}`);
  return m;
};

describe.each(envNames)('%s charts', (name) => {
  const env = environments[name];
  const charts = synthCharts(env);
  const all = charts.flatMap((c) => c.manifests);

  // config/kafka-metrics.yaml belongs to the local stack too: its text is checked below, not
  // frozen here, so editing the rules does not break this snapshot.
  const withoutMetricsRules = (manifests: Manifest[]) =>
    manifests.map((m) => (m.kind === 'ConfigMap' && m.metadata.name === 'docpipe-kafka-metrics' ? { ...m, data: { 'kafka-metrics-config.yml': '<config/kafka-metrics.yaml>' } } : m));

  it.each(charts.map((c) => [c.chart.node.id, c.manifests] as const))('chart %s matches its snapshot', (_, manifests) => {
    expect(withoutMetricsRules(manifests)).toMatchSnapshot();
  });

  it('gives every object a metadata.name, unique per kind', () => {
    expect(all.filter((m) => !m.metadata?.name).map((m) => m.kind)).toEqual([]);
    const ids = all.map((m) => `${m.apiVersion}/${id(m)}`);
    expect(ids.filter((x, i) => ids.indexOf(x) !== i)).toEqual([]);
  });

  it('puts every namespaced object in the docpipe namespace', () => {
    expect(all.filter((m) => m.kind !== 'Namespace' && m.metadata.namespace !== 'docpipe').map(id)).toEqual([]);
  });

  it('scales ingest on CPU with an autoscaling/v2 HPA', () => {
    const hpa = find(all, 'HorizontalPodAutoscaler', 'ingest');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'ingest' });
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
    expect(hpa.spec.minReplicas).toBe(env.ingest.minReplicas);
    expect(hpa.spec.maxReplicas).toBe(env.ingest.maxReplicas);
    // The autoscalers own the replica counts.
    expect(find(all, 'Deployment', 'ingest').spec.replicas).toBeUndefined();
    expect(find(all, 'Deployment', 'consumer').spec.replicas).toBeUndefined();
  });

  it('gives documents at least as many partitions as the consumer may have replicas', () => {
    const scaled = find(all, 'ScaledObject', 'consumer');
    const topic = find(all, 'KafkaTopic', 'documents');
    expect(topic.spec.topicName).toBe('documents');
    expect(topic.spec.partitions).toBeGreaterThanOrEqual(scaled.spec.maxReplicaCount);
    expect(scaled.spec.triggers).toEqual([
      expect.objectContaining({
        type: 'kafka',
        metadata: expect.objectContaining({ bootstrapServers: 'docpipe-kafka-bootstrap:9092', consumerGroup: 'docpipe-consumer', topic: 'documents' }),
        authenticationRef: { name: 'consumer-kafka' },
      }),
    ]);
    const auth = find(all, 'TriggerAuthentication', 'consumer-kafka');
    expect(auth.spec.secretTargetRef).toEqual([{ parameter: 'password', name: 'consumer', key: 'password' }]);
  });

  it('runs user-counter every minute and count-cleaner hourly, never overlapping', () => {
    for (const [job, schedule] of [['user-counter', '* * * * *'], ['count-cleaner', '0 * * * *']] as const) {
      const cron = find(all, 'CronJob', job);
      expect(cron.spec.schedule).toBe(schedule);
      expect(cron.spec.concurrencyPolicy).toBe('Forbid');
      expect(cron.spec.startingDeadlineSeconds).toBeGreaterThan(0);
      expect(cron.spec.successfulJobsHistoryLimit).toBeGreaterThan(0);
      expect(cron.spec.failedJobsHistoryLimit).toBeGreaterThan(0);
      expect(cron.spec.jobTemplate.spec.backoffLimit).toBeGreaterThanOrEqual(0);
      const container = cron.spec.jobTemplate.spec.template.spec.containers[0];
      expect(container.image).toBe(`docpipe/jobs:${env.imageTag}`);
      expect(container.args).toEqual([job]);
    }
  });

  it('runs migrate before ingest starts', () => {
    const init = find(all, 'Deployment', 'ingest').spec.template.spec.initContainers;
    expect(init.map((c: any) => [c.name, c.image, c.args])).toEqual([['migrate', `docpipe/jobs:${env.imageTag}`, ['migrate']]]);
  });

  it('pins the Kafka version the local stack runs, in KRaft with node pools and SCRAM users', () => {
    const kafka = find(all, 'Kafka', 'docpipe');
    expect(kafka.apiVersion).toBe('kafka.strimzi.io/v1');
    expect(kafka.spec.kafka.version).toBe(pinnedVersions().KAFKA_VERSION);
    expect(kafka.spec.kafka.authorization).toEqual({ type: 'simple' });
    expect(kafka.spec.kafka.metricsConfig.type).toBe('jmxPrometheusExporter');
    expect(kafka.spec).not.toHaveProperty('zookeeper');
    expect(find(all, 'KafkaNodePool', 'dual').spec.replicas).toBe(env.kafka.nodes);
    expect(find(all, 'KafkaUser', 'ingest').spec.authentication).toEqual({ type: 'scram-sha-512' });
    const metrics = find(all, 'ConfigMap', 'docpipe-kafka-metrics');
    expect(metrics.data['kafka-metrics-config.yml']).toContain('lowercaseOutputName');
  });

  it('runs the MongoDB replica set with the configured members', () => {
    expect(find(all, 'StatefulSet', 'mongodb').spec.replicas).toBe(env.mongodb.members);
    expect(find(all, 'StatefulSet', 'mongodb').spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(find(all, 'Service', 'mongodb').spec.clusterIP).toBe('None');
    const uri = find(all, 'Deployment', 'consumer').spec.template.spec.containers[0].env.find((e: any) => e.name === 'MONGODB_URI').value;
    expect(uri.match(/mongodb-\d\.mongodb/g)).toHaveLength(env.mongodb.members);
  });
});

describe('environments', () => {
  it('differ as documented: kind is small, production is replicated', () => {
    expect(environments.kind.kafka.nodes).toBe(1);
    expect(environments.production.kafka.nodes).toBe(3);
    expect(environments.production.mongodb.members).toBe(3);
    expect(environments.production.ingest.minReplicas).toBeGreaterThan(environments.kind.ingest.minReplicas);
  });

  it('exposes ingest on a NodePort only in kind', () => {
    const ingestService = (name: 'kind' | 'production') =>
      synthManifests(environments[name]).find((m) => m.kind === 'Service' && m.metadata.name === 'ingest')!;
    expect(ingestService('kind').spec.type).toBe('NodePort');
    expect(ingestService('production').spec.type).toBe('ClusterIP');
  });
});

describe('constructor checks', () => {
  const scope = () => Testing.chart();
  const env = environments.kind;

  it('refuses more consumer replicas than partitions', () => {
    expect(
      () =>
        new Consumer(scope(), 'c', {
          env: { ...env, consumer: { ...env.consumer, maxReplicas: 7 } },
          variables: [],
          dependencies: [],
          bootstrapServers: 'b:9092',
          consumerGroup: 'g',
          topic: 'documents',
          topicPartitions: 6,
          kafkaUser: { username: 'consumer', secret: kafkaUserSecret('consumer') },
        }),
    ).toThrow(/maxReplicaCount 7 exceeds the 6 partitions/);
  });

  it('refuses a replication factor larger than the cluster', () => {
    expect(
      () =>
        new KafkaCluster(scope(), 'k', {
          version: '4.3.0',
          nodes: 1,
          storageSize: '1Gi',
          replicationFactor: 3,
          minInSyncReplicas: 2,
          resources: env.kafka.resources,
          jmxExporterConfig: 'rules: []',
          clients: [],
        }),
    ).toThrow(/replication factor 3 exceeds the 1 Kafka node/);
  });

  it('refuses an even number of MongoDB members', () => {
    expect(
      () => new MongoReplicaSet(scope(), 'm', { members: 2, storageSize: '1Gi', resources: env.mongodb.resources, clients: [], namespace: 'docpipe' }),
    ).toThrow(/odd number of members/);
  });

  it('refuses an unpinned image tag', () => {
    expect(() => buildCharts(new App(), { ...env, imageTag: 'latest' })).toThrow(/must be pinned/);
  });
});
