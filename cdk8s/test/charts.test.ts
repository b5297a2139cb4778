import './support/prepare.js';
import { PIPELINE_CATALOG, PIPELINES_MOUNT, PORTS, POSTGRES_APP_ROLE, POSTGRES_APP_SECRET, POSTGRES_SECRET } from '@docpipe/contract';
import { consumedTopics } from '@docpipe/pipeline';
import { App, Duration, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { buildCharts } from '../src/charts.js';
import { environments, pinnedVersions, type EnvironmentConfig, type ExternalListenerConfig } from '../src/config.js';
import { KafkaCluster } from '../src/constructs/kafka.js';
import { MongoReplicaSet } from '../src/constructs/mongodb.js';
import { AllowPolicy } from '../src/constructs/network.js';
import { Postgres } from '../src/constructs/postgres.js';
import { deployedManifests, samplePipelines } from './support/deployed.js';
import { CLUSTER_SCOPED, crossNamespaceAddresses, envNames, id, podSpec, synthCharts, synthManifests, type Manifest } from './support/manifests.js';

const find = (all: Manifest[], kind: string, name: string) => {
  const m = all.find((x) => x.kind === kind && x.metadata.name === name);
  if (!m) throw new Error(`no ${kind}/${name}`);
  return m;
};

describe.each(envNames)('%s charts', (name) => {
  const env = environments[name];
  const charts = synthCharts(env);
  const all = charts.flatMap((c) => c.manifests);
  // With what the operator renders for pipelines/*.yaml: each pipeline's topics, consumer and scaling.
  const deployed = deployedManifests(env);
  const pipelines = samplePipelines();

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
    expect(all.filter((m) => !CLUSTER_SCOPED.has(m.kind) && m.metadata.namespace !== 'docpipe').map(id)).toEqual([]);
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
    for (const p of pipelines) expect(find(deployed, 'Deployment', `consumer-${p.name}`).spec.replicas).toBeUndefined();
  });

  it("leaves every pipeline's objects to the operator", () => {
    const synthesized = new Set(all.map(id));
    const operators = deployed.slice(all.length);
    expect(operators.length).toBeGreaterThan(0);
    expect(operators.map(id).filter((x) => synthesized.has(x))).toEqual([]);
    expect(all.filter((m) => ['KafkaTopic', 'KafkaUser', 'ScaledObject', 'TriggerAuthentication'].includes(m.kind)).map(id)).toEqual([]);
    expect(all.filter((m) => m.metadata.labels?.['docpipe.dev/pipeline'] !== undefined).map(id)).toEqual([]);
  });

  it("mounts the operator's catalog of specs in ingest, before the operator has written it", () => {
    const pod = find(all, 'Deployment', 'ingest').spec.template.spec;
    const mount = pod.containers[0].volumeMounts.find((m: any) => m.mountPath === PIPELINES_MOUNT);
    expect(pod.volumes.find((v: any) => v.name === mount.name).configMap).toEqual({ name: PIPELINE_CATALOG, optional: true });
  });

  it.each(pipelines.map((p) => [p.name, p] as const))('gives %s at least as many partitions as its consumer may have replicas', (pipeline) => {
    const scaled = find(deployed, 'ScaledObject', `consumer-${pipeline}`);
    const topic = deployed.find((m) => m.kind === 'KafkaTopic' && m.spec.topicName === pipelines.find((p) => p.name === pipeline)!.resources.topics.documents)!;
    expect(topic.spec.partitions).toBeGreaterThanOrEqual(scaled.spec.maxReplicaCount);
    expect(new Set(scaled.spec.triggers.map((t: any) => [t.type, t.metadata.consumerGroup, t.authenticationRef.name].join()))).toEqual(
      new Set([`kafka,docpipe-consumer-${pipeline},consumer-${pipeline}`]),
    );
    const auth = find(deployed, 'TriggerAuthentication', `consumer-${pipeline}`);
    expect(auth.spec.secretTargetRef).toContainEqual({ parameter: 'password', name: `consumer-${pipeline}`, key: 'password' });
  });

  it.each(pipelines.map((p) => [p.name, p] as const))("scales %s's consumer on every topic its group reads", (name, pipeline) => {
    const triggers = find(deployed, 'ScaledObject', `consumer-${name}`).spec.triggers;
    const read = find(deployed, 'KafkaUser', `consumer-${name}`)
      .spec.authorization.acls.filter((a: any) => a.resource.type === 'topic' && a.operations.includes('Read'))
      .map((a: any) => a.resource.name);
    const scaledOn = triggers.map((t: any) => t.metadata.topic);
    expect(new Set(scaledOn)).toEqual(new Set(read));
    expect(new Set(scaledOn)).toEqual(new Set(consumedTopics([pipeline])));
    expect(scaledOn).toHaveLength(new Set(scaledOn).size);
  });

  it('qualifies with its namespace every Service name dialled from another namespace', () => {
    const dialled = crossNamespaceAddresses(deployed);
    expect(dialled.length).toBeGreaterThan(0);
    for (const { where, from, address, namespace } of dialled) {
      expect(address, `${where}, dialled from namespace ${from}`).toMatch(new RegExp(`^[a-z0-9-]+\\.${namespace}\\.svc(\\.cluster\\.local)?:\\d+$`));
    }
  });

  it('gives the databases a startup probe on the address liveness checks, long enough for a slow first start', () => {
    for (const sts of ['mongodb', 'postgres']) {
      const [container] = find(all, 'StatefulSet', sts).spec.template.spec.containers;
      const { startupProbe, livenessProbe } = container;
      // The image's first-start server listens on 127.0.0.1 only: a probe of the pod's port fails
      // through that phase, and must outlast it on a slow laptop's disk.
      expect(startupProbe.tcpSocket, sts).toEqual(livenessProbe.tcpSocket);
      expect((startupProbe.periodSeconds ?? 10) * startupProbe.failureThreshold, sts).toBeGreaterThanOrEqual(5 * 60);
    }
  });

  it('connects the services to Postgres as the application role, and only migrate as the superuser', () => {
    const user = (container: any) => container.env.find((e: any) => e.name === 'POSTGRES_USER');
    const password = (container: any) => container.env.find((e: any) => e.name === 'POSTGRES_PASSWORD').valueFrom.secretKeyRef;
    const ingest = find(all, 'Deployment', 'ingest').spec.template.spec;
    const services = [ingest.containers[0], ...['user-counter', 'count-cleaner'].map((j) => find(all, 'CronJob', j).spec.jobTemplate.spec.template.spec.containers[0])];
    for (const c of services) {
      expect(user(c), c.name).toEqual({ name: 'POSTGRES_USER', value: POSTGRES_APP_ROLE });
      expect(password(c), c.name).toEqual({ name: POSTGRES_APP_SECRET, key: 'password' });
    }
    const [migrate] = ingest.initContainers;
    expect(user(migrate).valueFrom.secretKeyRef).toEqual({ name: POSTGRES_SECRET, key: 'username' });
    expect(password(migrate)).toEqual({ name: POSTGRES_SECRET, key: 'password' });
    expect(migrate.env.find((e: any) => e.name === 'POSTGRES_APP_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: POSTGRES_APP_SECRET, key: 'password' });
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
    expect(find(deployed, 'KafkaUser', 'ingest').spec.authentication).toEqual({ type: 'scram-sha-512' });
    const metrics = find(all, 'ConfigMap', 'docpipe-kafka-metrics');
    expect(metrics.data['kafka-metrics-config.yml']).toContain('lowercaseOutputName');
  });

  it('runs the MongoDB replica set with the configured members', () => {
    expect(find(all, 'StatefulSet', 'mongodb').spec.replicas).toBe(env.mongodb.members);
    expect(find(all, 'StatefulSet', 'mongodb').spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(find(all, 'Service', 'mongodb').spec.clusterIP).toBe('None');
    const uri = find(deployed, 'Deployment', 'consumer-invoices').spec.template.spec.containers[0].env.find((e: any) => e.name === 'MONGODB_URI').value;
    expect(uri.match(/mongodb-\d\.mongodb/g)).toHaveLength(env.mongodb.members);
  });
});

describe('Kafka client security', () => {
  const listener = (all: Manifest[]) => find(all, 'Kafka', 'docpipe').spec.kafka.listeners[0];
  const clients = (all: Manifest[]) => ['ingest', 'consumer-invoices', 'consumer-orders'].map((d) => find(all, 'Deployment', d).spec.template.spec);

  it("in production: a TLS listener, and ingest, consumer and KEDA trusting Strimzi's cluster CA", () => {
    const all = deployedManifests(environments.production);
    expect(listener(all)).toMatchObject({ tls: true, authentication: { type: 'scram-sha-512' } });
    for (const pod of clients(all)) {
      const [container] = pod.containers;
      const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
      expect(env.KAFKA_SSL).toBe('true');
      const mount = container.volumeMounts.find((m: any) => env.KAFKA_CA_FILE.startsWith(`${m.mountPath}/`));
      const volume = pod.volumes.find((v: any) => v.name === mount.name);
      expect(mount.readOnly).toBe(true);
      expect(volume.secret).toMatchObject({ secretName: 'docpipe-cluster-ca-cert', items: [{ key: 'ca.crt', path: env.KAFKA_CA_FILE.slice(mount.mountPath.length + 1) }] });
    }
    const auth = find(all, 'TriggerAuthentication', 'consumer-orders');
    expect(auth.spec.secretTargetRef).toContainEqual({ parameter: 'ca', name: 'docpipe-cluster-ca-cert', key: 'ca.crt' });
    expect(find(all, 'ConfigMap', 'consumer-orders-keda-kafka').data.tls).toBe('enable');
  });

  it('in production: an external listener of SCRAM over TLS, one load balancer per broker, open to its sources alone', () => {
    const external = find(deployedManifests(environments.production), 'Kafka', 'docpipe').spec.kafka.listeners[1];
    expect(external).toMatchObject({ name: 'external', port: PORTS.kafkaExternal, type: 'loadbalancer', tls: true, authentication: { type: 'scram-sha-512' } });
    expect(external.configuration).toEqual({ loadBalancerSourceRanges: environments.production.kafka.external.sources, externalTrafficPolicy: 'Local' });
  });

  it('in kind: an external listener of plain SCRAM on node ports, each broker advertising its host port', () => {
    const external = find(deployedManifests(environments.kind), 'Kafka', 'docpipe').spec.kafka.listeners[1];
    expect(external).toMatchObject({ name: 'external', port: PORTS.kafkaExternal, type: 'nodeport', tls: false, authentication: { type: 'scram-sha-512' } });
    expect(external.configuration).toEqual({
      bootstrap: { nodePort: 30094 },
      brokers: [{ broker: 0, nodePort: 30095, advertisedHost: '127.0.0.1', advertisedPort: 9095 }],
    });
  });

  it('in kind: plain TCP, nothing to trust', () => {
    const all = deployedManifests(environments.kind);
    expect(listener(all).tls).toBe(false);
    for (const pod of clients(all)) expect(pod.containers[0].env.map((e: any) => e.name)).not.toContain('KAFKA_SSL');
    expect(find(all, 'ConfigMap', 'consumer-orders-keda-kafka').data.tls).toBe('disable');
  });
});

describe('environments', () => {
  it('differ as documented: kind is small, production is replicated', () => {
    expect(environments.kind.kafka.nodes).toBe(1);
    expect(environments.production.kafka.nodes).toBe(3);
    expect(environments.production.mongodb.members).toBe(3);
    expect(environments.production.ingest.minReplicas).toBeGreaterThan(environments.kind.ingest.minReplicas);
  });

  it('runs release images in production', () => {
    const images = deployedManifests(environments.production).flatMap((m) => {
      const spec = podSpec(m);
      return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c: any) => c.image as string);
    });
    const ours = images.filter((image) => image.startsWith('docpipe/'));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.filter((image) => !/^docpipe\/[a-z-]+:\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/.test(image))).toEqual([]);
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

  it('refuses a replication factor larger than the cluster', () => {
    expect(
      () =>
        new KafkaCluster(scope(), 'k', {
          namespace: 'docpipe',
          version: '4.3.0',
          nodes: 1,
          storageSize: '1Gi',
          replicationFactor: 3,
          minInSyncReplicas: 2,
          resources: env.kafka.resources,
          jmxExporterConfig: 'rules: []',
          clients: [],
          kubernetesApi: env.kubernetesApi,
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

  it('refuses a development tag where only releases may run', () => {
    expect(() => buildCharts(new App(), { ...environments.production, imageTag: 'dev' })).toThrow(/release images only/);
    expect(() => buildCharts(new App(), { ...environments.production, imageTag: '0.2.0-rc.1' })).not.toThrow();
  });

  it('refuses a database first start too short to initialise', () => {
    expect(
      () =>
        new Postgres(scope(), 'p', { storageSize: '1Gi', resources: env.postgres.resources, clients: [], firstStartTimeout: Duration.seconds(5) }),
    ).toThrow(/leaves no time/);
  });

  it('refuses a NodePort without the networks its clients come from', () => {
    expect(() => buildCharts(new App(), { ...env, ingest: { ...env.ingest, nodePortSources: [] } })).toThrow(/nodePortSources/);
  });

  describe('of the external listener', () => {
    const kindExternal = env.kafka.external;
    if (kindExternal.type !== 'nodeport') throw new Error('kind exposes Kafka on node ports');
    const withExternal = (external: ExternalListenerConfig, base: EnvironmentConfig = env) => () =>
      buildCharts(new App(), { ...base, kafka: { ...base.kafka, external } });

    it('refuses node ports that are not one per broker', () => {
      expect(withExternal({ ...kindExternal, brokers: [] })).toThrow(/maps 0 broker node port\(s\) for 1 Kafka node\(s\): one each/);
      const production = environments.production;
      expect(withExternal(kindExternal, production)).toThrow(/maps 1 broker node port\(s\) for 3 Kafka node\(s\)/);
    });

    it('refuses a node port the API server would refuse, and a port used twice', () => {
      expect(withExternal({ ...kindExternal, bootstrap: { nodePort: 9094, hostPort: 9094 } })).toThrow(/node port\(s\) 9094 outside/);
      expect(withExternal({ ...kindExternal, bootstrap: { nodePort: 30095, hostPort: 9094 } })).toThrow(/nodePort 30095 more than once/);
    });

    it('refuses to be open to every address, or to no one', () => {
      expect(withExternal({ ...kindExternal, sources: ['0.0.0.0/0'] })).toThrow(/every address/);
      expect(withExternal({ type: 'loadbalancer', tls: true, sources: [] }, environments.production)).toThrow(/kafka.external.sources/);
    });
  });

  it('refuses a network rule for every address', () => {
    expect(() => new AllowPolicy(scope(), 'a', { name: 'a', podSelector: { a: 'b' }, egress: [{ peers: [{ cidr: '0.0.0.0/0' }], ports: [{ port: 443 }] }] })).toThrow(
      /every address/,
    );
  });
});
