// Everything one DocumentPipeline needs in the cluster, as the operator applies it: its topics,
// its consumer's Kafka user, the spec projection ingest and the consumer read, a consumer
// Deployment with its own lag scaling, its alerts and its dashboard. The operator synthesizes this
// construct in memory for each pipeline, so each object has one definition.
import { CONSUMER_GROUP, PIPELINES_MOUNT, PORT_NAMES, PORTS, consumerAccess, consumerReadTopics, pipelineTopics, type SecretKey } from '@docpipe/contract';
import { pipelineTopicsOf, topicRequests, type CompiledPipeline } from '@docpipe/pipeline';
import { posix } from 'node:path';
import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { k8s } from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import * as keda from '../../imports/keda.sh.js';
import * as prom from '../../imports/monitoring.coreos.com.js';
import type { ResourceSpec } from '../config.js';
import { envVariables, type Env } from '../constructs/app.js';
import { APP_USER, DisruptionBudget, NAME_LABEL, partLabels, podSecurityContext, resources, restrictedSecurityContext, tmpVolume } from '../constructs/common.js';
import { DocpipeTopic, KafkaClientUser } from '../constructs/kafka.js';
import { AllowPolicy, prometheusPeer, type Labels } from '../constructs/network.js';
import { RELEASE_LABEL } from '../monitoring/monitoring.js';
import { buildDashboard } from '../monitoring/dashboards.js';
import { specKey, specProjection } from './catalog.js';

/** Every child of a pipeline carries it; the operator finds (and prunes) its children by it. */
export const PIPELINE_LABEL = 'docpipe.dev/pipeline';

/** The names of a pipeline's children: stable, so that an apply updates rather than duplicates. */
export function pipelineObjectNames(name: string) {
  const consumer = `consumer-${name}`;
  return {
    /** ConfigMap of the spec projection, key `<name>.yaml`. */
    spec: `docpipe-pipeline-${name}`,
    specKey: specKey(name),
    /** Deployment, PDB, NetworkPolicy, ScaledObject and the consumer's KafkaUser (and its Secret). */
    consumer,
    consumerGroup: `${CONSUMER_GROUP}-${name}`,
    metricsService: `${consumer}-metrics`,
    kedaParams: `${consumer}-keda-kafka`,
    rules: `docpipe-pipeline-${name}`,
    dashboard: `dashboard-docpipe-pipeline-${name}`,
  };
}

/** Grafana refuses dashboard uids longer than 40 characters. */
function dashboardUid(name: string): string {
  const uid = `docpipe-pipeline-${name}`;
  return uid.length <= 40 ? uid : `docpipe-pipeline-${name.slice(0, 23)}`;
}

/** What a pipeline's children need to know of the cluster they run in. */
export interface PipelineCluster {
  /** The Strimzi Kafka cluster (the strimzi.io/cluster label of topics and users). */
  readonly kafkaCluster: string;
  /** Bootstrap address for the consumer and for KEDA's lag reads. */
  readonly bootstrapServers: string;
  /**
   * The client listener speaks TLS with Strimzi's cluster CA, which the consumer and KEDA trust.
   * @default false
   */
  readonly kafkaTls?: boolean;
  readonly topicReplicas: number;
  readonly minInSyncReplicas: number;
  /** The docpipe/consumer image, pinned. */
  readonly consumerImage: string;
  /** Never for images loaded into kind; a pinned tag is pulled once otherwise. */
  readonly imagePullPolicy: 'IfNotPresent' | 'Never';
  /** host:port of every MongoDB member. */
  readonly mongodbHosts: readonly string[];
  /** @default - none (a single server) */
  readonly mongodbReplicaSet?: string;
  readonly mongodbDatabase: string;
  /** The Secret with keys username and password of the application user. */
  readonly mongodbSecret: string;
  /**
   * Labels of the MongoDB pods, for the consumer's egress.
   * @default { 'app.kubernetes.io/name': 'mongodb' }
   */
  readonly mongodbPods?: Labels;
  /** Requests and limits of one consumer container. */
  readonly consumerResources: ResourceSpec;
}

export interface PipelineChildrenProps {
  /** The pipeline as it compiled (the operator renders only a spec that compiles). */
  readonly pipeline: CompiledPipeline;
  readonly cluster: PipelineCluster;
}

/** Where the consumer finds the cluster CA's certificate. */
const KAFKA_CA_FILE = '/etc/docpipe/kafka-ca/ca.crt';

/** Strimzi's Secret with the certificate of a cluster's CA. */
const clusterCa = (cluster: string): SecretKey => ({ name: `${cluster}-cluster-ca-cert`, key: 'ca.crt' });

const PULL_POLICIES = { IfNotPresent: kplus.ImagePullPolicy.IF_NOT_PRESENT, Never: kplus.ImagePullPolicy.NEVER } as const;

export class PipelineChildren extends Construct {
  constructor(scope: Construct, id: string, props: PipelineChildrenProps) {
    super(scope, id);
    const { pipeline, cluster } = props;
    const { scaling } = pipeline.spec;
    const partitions = pipeline.spec.topic.partitions;
    if (scaling.maxReplicas > partitions) {
      throw new Error(`scaling.maxReplicas ${scaling.maxReplicas} exceeds the ${partitions} partitions of ${pipeline.resources.topics.documents}`);
    }
    if (cluster.mongodbHosts.length === 0) throw new Error('the consumer needs at least one MongoDB host');
    const names = pipelineObjectNames(pipeline.name);

    for (const t of topicRequests(pipeline)) {
      new DocpipeTopic(this, t.topic, {
        cluster: cluster.kafkaCluster,
        topicName: t.topic,
        partitions: t.partitions,
        replicas: cluster.topicReplicas,
        minInSyncReplicas: cluster.minInSyncReplicas,
        retentionMs: t.retentionMs,
      });
    }
    const user = new KafkaClientUser(this, 'ConsumerUser', {
      cluster: cluster.kafkaCluster,
      name: names.consumer,
      access: consumerAccess(pipelineTopicsOf(pipeline), names.consumerGroup),
    });

    const spec = new k8s.KubeConfigMap(this, 'Spec', {
      metadata: { name: names.spec },
      data: { [names.specKey]: specProjection(pipeline) },
    });

    const labels = { ...partLabels('consumer', 'service'), [PIPELINE_LABEL]: pipeline.name };
    const selector = { [NAME_LABEL]: 'consumer', [PIPELINE_LABEL]: pipeline.name };
    this.consumer(names, labels, selector, spec.name, user, props);
    this.scaling(names, pipeline, cluster, user);
    this.monitoring(names, pipeline);
  }

  private consumer(
    names: ReturnType<typeof pipelineObjectNames>,
    labels: Labels,
    selector: Labels,
    specConfigMap: string,
    user: KafkaClientUser,
    { cluster }: PipelineChildrenProps,
  ) {
    const port = PORTS.consumerMetrics;
    const deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: names.consumer, labels },
      select: false,
      podMetadata: { labels },
      securityContext: podSecurityContext(APP_USER),
      automountServiceAccountToken: false,
      // The consumer finishes its chunk and commits on SIGTERM.
      terminationGracePeriod: Duration.seconds(30),
      strategy: kplus.DeploymentStrategy.rollingUpdate({ maxSurge: kplus.PercentOrAbsolute.absolute(1), maxUnavailable: kplus.PercentOrAbsolute.absolute(0) }),
    });
    deployment.select(kplus.LabelSelector.of({ labels: selector }));
    deployment.scheduling.spread({ topology: kplus.Topology.HOSTNAME, weight: 100 });
    // KEDA owns the replica count; one in the applied object would reset it on every reconcile.
    ApiObject.of(deployment).addJsonPatch(JsonPatch.remove('/spec/replicas'));

    const mongoUri = `mongodb://$(MONGODB_USERNAME):$(MONGODB_PASSWORD)@${cluster.mongodbHosts.join(',')}/?${cluster.mongodbReplicaSet ? `replicaSet=${cluster.mongodbReplicaSet}&` : ''}authSource=admin`;
    const variables: [string, Env][] = [
      ['METRICS_PORT', String(port)],
      ['KAFKA_BROKERS', cluster.bootstrapServers],
      ['KAFKA_CLIENT_ID', user.username],
      ['KAFKA_SASL_USERNAME', user.username],
      ['KAFKA_SASL_PASSWORD', user.secret],
      ...(cluster.kafkaTls ? ([['KAFKA_SSL', 'true'], ['KAFKA_CA_FILE', KAFKA_CA_FILE]] as [string, Env][]) : []),
      ['KAFKA_GROUP_ID', names.consumerGroup],
      ['PIPELINES_DIR', PIPELINES_MOUNT],
      ['MONGODB_USERNAME', { name: cluster.mongodbSecret, key: 'username' }],
      ['MONGODB_PASSWORD', { name: cluster.mongodbSecret, key: 'password' }],
      ['MONGODB_URI', mongoUri],
      ['MONGODB_DATABASE', cluster.mongodbDatabase],
    ];
    const tmp = tmpVolume(this);
    // The kubelet refreshes a ConfigMap volume in place, and the consumer watches the folder: a new
    // revision goes live without a restart.
    const specVolume = kplus.Volume.fromConfigMap(this, 'SpecVolume', kplus.ConfigMap.fromConfigMapName(this, 'SpecRef', specConfigMap), {
      name: 'pipelines',
    });
    const container = deployment.addContainer({
      name: 'consumer',
      image: cluster.consumerImage,
      imagePullPolicy: PULL_POLICIES[cluster.imagePullPolicy],
      ports: [{ name: PORT_NAMES.consumerMetrics, number: port }],
      envVariables: envVariables(this, variables),
      securityContext: restrictedSecurityContext(APP_USER),
      resources: resources(cluster.consumerResources),
      startup: kplus.Probe.fromHttpGet('/healthz', { port, periodSeconds: Duration.seconds(2), failureThreshold: 30 }),
      liveness: kplus.Probe.fromHttpGet('/healthz', { port, periodSeconds: Duration.seconds(10), failureThreshold: 3 }),
      readiness: kplus.Probe.fromHttpGet('/readyz', { port, periodSeconds: Duration.seconds(5), failureThreshold: 2 }),
    });
    container.mount('/tmp', tmp);
    container.mount(PIPELINES_MOUNT, specVolume, { readOnly: true });
    if (cluster.kafkaTls) {
      const ca = clusterCa(cluster.kafkaCluster);
      const caVolume = kplus.Volume.fromSecret(this, 'KafkaCaVolume', kplus.Secret.fromSecretName(this, 'KafkaCa', ca.name), {
        name: 'kafka-ca',
        items: { [ca.key]: { path: posix.basename(KAFKA_CA_FILE) } },
      });
      container.mount(posix.dirname(KAFKA_CA_FILE), caVolume, { readOnly: true });
    }

    new DisruptionBudget(this, 'Pdb', { name: names.consumer, selector });
    // The consumer ServiceMonitor selects Services by the consumer's labels.
    const metrics = new kplus.Service(this, 'MetricsService', {
      metadata: { name: names.metricsService, labels },
      clusterIP: 'None',
      ports: [{ name: PORT_NAMES.consumerMetrics, port, targetPort: port }],
    });
    for (const [key, value] of Object.entries(selector)) metrics.selectLabel(key, value);

    const kafkaPods = { 'strimzi.io/cluster': cluster.kafkaCluster, 'strimzi.io/name': `${cluster.kafkaCluster}-kafka` };
    new AllowPolicy(this, 'Policy', {
      name: names.consumer,
      podSelector: selector,
      // The operator reads which revision each replica serves from /metrics too.
      ingress: [{ peers: [prometheusPeer, { pods: partLabels('operator', 'controller') }], ports: [{ port }] }],
      egress: [
        { peers: [{ pods: kafkaPods }], ports: [{ port: PORTS.kafkaClient }] },
        { peers: [{ pods: cluster.mongodbPods ?? { [NAME_LABEL]: 'mongodb' } }], ports: [{ port: PORTS.mongodb }] },
      ],
    });
  }

  private scaling(names: ReturnType<typeof pipelineObjectNames>, pipeline: CompiledPipeline, cluster: PipelineCluster, user: KafkaClientUser) {
    const { minReplicas, maxReplicas, lagThreshold } = pipeline.spec.scaling;
    const params = new k8s.KubeConfigMap(this, 'KedaKafkaParams', {
      metadata: { name: names.kedaParams },
      data: { sasl: 'scram_sha512', username: user.username, tls: cluster.kafkaTls ? 'enable' : 'disable' },
    });
    const ca = clusterCa(cluster.kafkaCluster);
    const auth = new keda.TriggerAuthentication(this, 'TriggerAuth', {
      metadata: { name: names.consumer },
      spec: {
        configMapTargetRef: ['sasl', 'username', 'tls'].map((key) => ({ parameter: key, name: params.name, key })),
        secretTargetRef: [
          { parameter: 'password', name: user.secret.name, key: user.secret.key },
          ...(cluster.kafkaTls ? [{ parameter: 'ca', name: ca.name, key: ca.key }] : []),
        ],
      },
    });
    // One trigger per topic the consumer reads: KEDA scales on the largest demand among them.
    const topics = consumerReadTopics(pipelineTopicsOf(pipeline));
    new keda.ScaledObject(this, 'ScaledObject', {
      metadata: { name: names.consumer },
      spec: {
        scaleTargetRef: { name: names.consumer },
        minReplicaCount: minReplicas,
        maxReplicaCount: maxReplicas,
        pollingInterval: 15,
        cooldownPeriod: 300,
        triggers: topics.map((topic) => ({
          type: 'kafka',
          metadata: {
            bootstrapServers: cluster.bootstrapServers,
            consumerGroup: names.consumerGroup,
            topic,
            lagThreshold: String(lagThreshold),
            // Lag counts from the group's committed offsets; a new group has none yet.
            offsetResetPolicy: 'earliest',
            allowIdleConsumers: 'false',
          },
          authenticationRef: { name: auth.name },
        })),
      },
    });
  }

  private monitoring(names: ReturnType<typeof pipelineObjectNames>, pipeline: CompiledPipeline) {
    const group = `consumergroup="${names.consumerGroup}"`;
    const topics = pipelineTopics(pipeline.resources, pipeline.spec.inbox.enabled).join('|');
    const { maxReplicas, lagThreshold } = pipeline.spec.scaling;
    const lagCeiling = maxReplicas * lagThreshold;
    const summary = (text: string) => `pipeline ${pipeline.name}: ${text}`;
    new prom.PrometheusRule(this, 'Rules', {
      metadata: { name: names.rules, labels: RELEASE_LABEL },
      spec: {
        groups: [
          {
            name: `docpipe.pipeline.${pipeline.name}`,
            rules: [
              {
                alert: 'DocpipePipelineLagGrowing',
                // Above what maxReplicas consumers are scaled for, and still growing: scaling is
                // at its ceiling and the consumers do not keep up.
                expr: prom.PrometheusRuleSpecGroupsRulesExpr.fromString(
                  `sum by (topic) (deriv(kafka_consumergroup_lag{${group}}[10m])) > 0 and sum by (topic) (kafka_consumergroup_lag{${group}}) > ${lagCeiling}`,
                ),
                for: '10m',
                labels: { severity: 'warning', pipeline: pipeline.name },
                annotations: {
                  summary: summary('the consumers fall behind on {{ $labels.topic }}'),
                  description: `Lag on {{ $labels.topic }} is above ${lagCeiling} (maxReplicas x lagThreshold) and kept growing for 10 minutes; raise spec.scaling.maxReplicas (and the partitions) or look at the ${names.consumer} logs.`,
                },
              },
              {
                alert: 'DocpipePipelineNoConsumer',
                expr: prom.PrometheusRuleSpecGroupsRulesExpr.fromString(
                  `(sum(kube_deployment_status_replicas_available{deployment="${names.consumer}"}) or vector(0)) == 0 and sum(kafka_consumergroup_lag{${group}, topic=~"${topics}"}) > 0`,
                ),
                for: '10m',
                labels: { severity: 'critical', pipeline: pipeline.name },
                annotations: {
                  summary: summary('records wait and no consumer is available'),
                  description: `Deployment ${names.consumer} has no available replica while its group has lag; see kubectl describe deployment ${names.consumer}.`,
                },
              },
            ],
          },
        ],
      },
    });

    const rate = (metric: string) => `rate(${metric}[$__rate_interval])`;
    const { collections } = pipeline.resources;
    const dashboard = buildDashboard({
      uid: dashboardUid(pipeline.name),
      title: `Docpipe pipeline ${pipeline.name}`,
      panels: [
        { title: 'Consumer lag by topic', unit: 'short', queries: [{ expr: `sum by (topic) (kafka_consumergroup_lag{${group}})`, legend: '{{topic}}' }] },
        {
          title: 'Stored per second',
          unit: 'reqps',
          queries: [{ expr: `sum by (collection) (${rate(`consumer_documents_stored_total{collection=~"${collections.documents}|${collections.rejected}"}`)})`, legend: '{{collection}}' }],
        },
        {
          title: 'Consumer replicas',
          unit: 'short',
          queries: [{ expr: `sum(kube_deployment_status_replicas_available{deployment="${names.consumer}"})`, legend: 'available' }],
        },
      ],
    });
    new k8s.KubeConfigMap(this, 'Dashboard', {
      // The Grafana sidecar loads every ConfigMap with this label (charts/kube-prometheus-stack.values.yaml).
      metadata: { name: names.dashboard, labels: { grafana_dashboard: '1' } },
      data: { [`${dashboard.uid}.json`]: JSON.stringify(dashboard, null, 2) },
    });
  }
}
