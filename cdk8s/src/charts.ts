// Wires the constructs into one chart per concern; each chart becomes dist/<env>/<id>.k8s.yaml,
// and the numeric prefixes order `kubectl apply -f` (the namespace first).
import { INGEST_KAFKA_USER, JWT_SECRET, MONGODB_SECRETS, PIPELINE_CATALOG, PIPELINES_MOUNT, PORT_NAMES, PORTS, kafkaUserSecret } from '@docpipe/contract';
import { App, Chart, type ChartProps } from 'cdk8s';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pinnedVersions, type EnvironmentConfig } from './config.js';
import type { Env } from './constructs/app.js';
import { Adminer } from './constructs/adminer.js';
import { appImage } from './constructs/common.js';
import { CronJobs } from './constructs/cron-jobs.js';
import { databaseUiLabels } from './constructs/database-ui.js';
import { Ingest } from './constructs/ingest.js';
import { KafkaCluster } from './constructs/kafka.js';
import { MongoExpress } from './constructs/mongo-express.js';
import { MongoReplicaSet } from './constructs/mongodb.js';
import { BaselineNetworkPolicies, DocpipeNamespace } from './constructs/namespace.js';
import { Operator } from './constructs/operator.js';
import { PipelineCrd } from './constructs/pipeline-crd.js';
import { Postgres } from './constructs/postgres.js';
import { Monitoring } from './monitoring/monitoring.js';

/** config/kafka-metrics.yaml, shared with the local stack: read at synth time, never copied. */
export function kafkaMetricsConfig(): string {
  const file = fileURLToPath(new URL('../../config/kafka-metrics.yaml', import.meta.url));
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the Kafka JMX exporter rules at ${file}: ${(e as Error).message}`);
  }
}

/** Every chart of one environment, in apply order. */
export function buildCharts(app: App, env: EnvironmentConfig): Chart[] {
  const ns: ChartProps = { namespace: env.namespace };
  const chart = (id: string, props: ChartProps = ns) => new Chart(app, id, props);
  const version = pinnedVersions().KAFKA_VERSION;
  if (!version) throw new Error('scripts/versions.env has no KAFKA_VERSION');

  const namespace = chart('00-namespace', {});
  new DocpipeNamespace(namespace, 'Namespace', { name: env.namespace });
  const network = chart('01-network-baseline');
  new BaselineNetworkPolicies(network, 'Baseline');
  // Cluster-scoped, and before any chart whose objects the operator then reconciles.
  const crds = chart('05-crds', {});
  new PipelineCrd(crds, 'DocumentPipeline');

  // Labels are known up front so each construct can name its peers before they exist.
  const labelsOf = (name: string, component: string) => ({
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/part-of': 'docpipe',
    'app.kubernetes.io/component': component,
  });
  const ingestPods = labelsOf('ingest', 'service');
  const consumerPods = labelsOf('consumer', 'service');
  const jobPods = { 'app.kubernetes.io/name': 'jobs' };
  const operatorPods = labelsOf('operator', 'controller');
  // The databases admit their UIs, where the environment runs them.
  const mongoUis = env.databaseUis ? [databaseUiLabels('mongo-express')] : [];
  const postgresUis = env.databaseUis ? [databaseUiLabels('adminer')] : [];

  const kafkaChart = chart('10-kafka');
  const kafka = new KafkaCluster(kafkaChart, 'Kafka', {
    namespace: env.namespace,
    version,
    nodes: env.kafka.nodes,
    storageSize: env.kafka.storageSize,
    replicationFactor: env.kafka.replicationFactor,
    minInSyncReplicas: env.kafka.minInSyncReplicas,
    resources: env.kafka.resources,
    jmxExporterConfig: kafkaMetricsConfig(),
    clients: [ingestPods, consumerPods],
    tls: env.kafka.tls,
    kubernetesApi: env.kubernetesApi,
    external: env.kafka.external,
  });
  // Topics, the consumers' users and the ACLs of ingest's user come from the operator, one set per
  // DocumentPipeline; ingest's user needs only its name here.
  const ingestUser = { username: INGEST_KAFKA_USER, secret: kafkaUserSecret(INGEST_KAFKA_USER) };

  const mongoChart = chart('20-mongodb');
  const mongo = new MongoReplicaSet(mongoChart, 'MongoDB', {
    members: env.mongodb.members,
    storageSize: env.mongodb.storageSize,
    resources: env.mongodb.resources,
    namespace: env.namespace,
    clients: [ingestPods, consumerPods, ...mongoUis],
  });
  const postgresChart = chart('20-postgres');
  const postgres = new Postgres(postgresChart, 'Postgres', {
    storageSize: env.postgres.storageSize,
    resources: env.postgres.resources,
    clients: [ingestPods, jobPods, ...postgresUis],
  });

  const kafkaPods = { 'strimzi.io/cluster': kafka.name, 'strimzi.io/name': `${kafka.name}-kafka` };
  const mongoPods = { 'app.kubernetes.io/name': mongo.name };
  const postgresPods = { 'app.kubernetes.io/name': postgres.name };
  // A variable is set here only where another object of these manifests depends on its value
  // (ports, topics, group, users, addresses); every other one keeps its default from the contract.
  const database = postgres.clientVariables;
  const mongodb: [string, Env][] = [
    ['MONGODB_USERNAME', { name: MONGODB_SECRETS.app, key: 'username' }],
    ['MONGODB_PASSWORD', { name: MONGODB_SECRETS.app, key: 'password' }],
    ['MONGODB_URI', `mongodb://$(MONGODB_USERNAME):$(MONGODB_PASSWORD)@${mongo.hosts.join(',')}/?replicaSet=${mongo.replicaSet}&authSource=admin`],
    ['MONGODB_DATABASE', mongo.database],
  ];

  const ingestChart = chart('30-ingest');
  const ingest = new Ingest(ingestChart, 'Ingest', {
    env,
    variables: [
      ['PORT', String(PORTS.ingestHttp)],
      ...kafka.clientVariables(ingestUser),
      ['PIPELINES_DIR', PIPELINES_MOUNT],
      ...mongodb,
      ...database,
      ['JWT_KEYS', JWT_SECRET],
    ],
    migrateVariables: postgres.migrateVariables,
    files: kafka.clientFiles,
    pipelines: PIPELINE_CATALOG,
    observers: [operatorPods],
    dependencies: [
      { pods: kafkaPods, port: PORTS.kafkaClient },
      { pods: postgresPods, port: PORTS.postgres },
      { pods: mongoPods, port: PORTS.mongodb },
    ],
  });

  const jobsChart = chart('30-jobs');
  new CronJobs(jobsChart, 'Jobs', {
    env,
    variables: database,
    database: { pods: postgresPods, port: PORTS.postgres },
  });

  const monitoringChart = chart('40-monitoring');
  new Monitoring(monitoringChart, 'Monitoring', {
    services: [
      { name: 'ingest', selector: ingest.labels, port: PORT_NAMES.ingestHttp },
      // Every pipeline's consumer carries these labels, whichever pipeline it serves.
      { name: 'consumer', selector: consumerPods, port: PORT_NAMES.consumerMetrics },
    ],
    kafkaCluster: kafka.name,
  });

  // The operator, told what each pipeline's children need of the cluster. It holds no database
  // credentials: deletionPolicy Delete leaves the collections to a person, and says so.
  const operatorChart = chart('50-operator');
  new Operator(operatorChart, 'Operator', {
    env,
    observes: [
      { pods: ingestPods, port: PORTS.ingestHttp },
      { pods: consumerPods, port: PORTS.consumerMetrics },
    ],
    variables: [
      ['WATCH_NAMESPACE', env.namespace],
      ['KAFKA_CLUSTER', kafka.name],
      ['KAFKA_BROKERS', kafka.bootstrapServers],
      ['KAFKA_TLS', String(kafka.tls)],
      ['KAFKA_TOPIC_REPLICAS', String(env.kafka.replicationFactor)],
      ['KAFKA_MIN_INSYNC_REPLICAS', String(env.kafka.minInSyncReplicas)],
      ['CONSUMER_IMAGE', appImage(env, 'consumer')],
      ['CONSUMER_IMAGE_PULL_POLICY', env.imagePullPolicy],
      ['CONSUMER_CPU_REQUEST_MILLIS', String(env.consumer.resources.cpuRequestMillis)],
      ['CONSUMER_CPU_LIMIT_MILLIS', String(env.consumer.resources.cpuLimitMillis)],
      ['CONSUMER_MEMORY_REQUEST_MIB', String(env.consumer.resources.memoryRequestMiB)],
      ['CONSUMER_MEMORY_LIMIT_MIB', String(env.consumer.resources.memoryLimitMiB)],
      ['MONGODB_HOSTS', mongo.hosts.join(',')],
      ['MONGODB_REPLICA_SET', mongo.replicaSet],
      ['MONGODB_DATABASE', mongo.database],
    ],
  });

  const charts = [namespace, network, crds, kafkaChart, mongoChart, postgresChart, ingestChart, jobsChart, monitoringChart, operatorChart];
  // A person's tools: in kind always, in production when asked for.
  if (env.databaseUis) {
    const uisChart = chart('60-database-uis');
    new MongoExpress(uisChart, 'MongoExpress', { hosts: mongo.hosts, replicaSet: mongo.replicaSet, database: mongo.database, mongoPods });
    new Adminer(uisChart, 'Adminer', { server: postgres.name, postgresPods });
    charts.push(uisChart);
  }
  return charts;
}
