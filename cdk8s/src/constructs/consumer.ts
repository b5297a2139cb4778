// consumer: Kafka → MongoDB. Deployment + PDB + KEDA lag-based autoscaling + metrics Service.
import { PORTS, type SecretKey } from '@docpipe/contract';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-34';
import * as keda from '../../imports/keda.sh.js';
import type { EnvironmentConfig } from '../config.js';
import type { PipelineSpecs } from './pipeline-specs.js';
import { AppDeployment, type Env, type SecretFile } from './app.js';
import { AllowPolicy, prometheusPeer, type Labels } from './network.js';

const CONSUMER_METRICS_PORT = PORTS.consumerMetrics;

export interface ConsumerProps {
  readonly env: EnvironmentConfig;
  readonly variables: [string, Env][];
  readonly dependencies: { readonly pods: Labels; readonly port: number }[];
  /** The bootstrap address as KEDA, in its own namespace, resolves it. */
  readonly bootstrapServers: string;
  readonly consumerGroup: string;
  /** Every topic the group reads, with its partitions: lag on any of them is work waiting. */
  readonly topics: readonly { readonly name: string; readonly partitions: number }[];
  /** The KafkaUser KEDA authenticates as. */
  readonly kafkaUser: { readonly username: string; readonly secret: SecretKey };
  /** With a TLS listener: the CA that KEDA and the consumer trust. @default - plain TCP */
  readonly kafkaCa?: SecretKey;
  /** Files the consumer reads from Secrets. @default - none */
  readonly files?: readonly SecretFile[];
  /** The pipeline specs the consumer serves. */
  readonly pipelines: PipelineSpecs;
}

export class Consumer extends Construct {
  public readonly labels: Labels;
  public readonly maxReplicas: number;
  constructor(scope: Construct, id: string, props: ConsumerProps) {
    super(scope, id);
    const { env } = props;
    const { minReplicas, maxReplicas, lagThreshold } = env.consumer;
    if (minReplicas < 1 || maxReplicas < minReplicas) {
      throw new Error(`consumer replicas: need 1 <= min (${minReplicas}) <= max (${maxReplicas})`);
    }
    if (props.topics.length === 0) throw new Error('the consumer reads no topic to scale on');
    // Each trigger stops at its topic's partitions, so replicas beyond the largest topic's never come.
    const widest = props.topics.reduce((a, b) => (b.partitions > a.partitions ? b : a));
    if (maxReplicas > widest.partitions) {
      throw new Error(
        `consumer maxReplicaCount ${maxReplicas} exceeds the ${widest.partitions} partitions of ${widest.name}, its largest topic: the extra consumers would get no partition`,
      );
    }
    this.maxReplicas = maxReplicas;
    const app = new AppDeployment(this, 'App', {
      env,
      part: 'consumer',
      port: CONSUMER_METRICS_PORT,
      variables: props.variables,
      resources: env.consumer.resources,
      files: props.files,
      pipelines: props.pipelines,
    });
    this.labels = app.labels;
    // KEDA owns the replica count (the manifest sets none); a linter reading the manifest alone sees one.
    ApiObject.of(app.deployment).metadata.addAnnotation('kube-score/ignore', 'deployment-replicas');

    // ServiceMonitors select Services, so the metrics port gets one even though nothing else calls it.
    const metrics = new kplus.Service(this, 'MetricsService', {
      metadata: { name: 'consumer-metrics', labels: app.labels },
      clusterIP: 'None',
      ports: [{ name: 'metrics', port: CONSUMER_METRICS_PORT, targetPort: CONSUMER_METRICS_PORT }],
    });
    for (const [key, value] of Object.entries(app.labels)) metrics.selectLabel(key, value);

    const authParams = new kplus.ConfigMap(this, 'KedaKafkaParams', {
      metadata: { name: 'consumer-keda-kafka' },
      data: { sasl: 'scram_sha512', username: props.kafkaUser.username, tls: props.kafkaCa ? 'enable' : 'disable' },
    });
    const secretParam = (parameter: string, secret: SecretKey) => ({ parameter, name: secret.name, key: secret.key });
    const auth = new keda.TriggerAuthentication(this, 'TriggerAuth', {
      metadata: { name: 'consumer-kafka' },
      spec: {
        configMapTargetRef: ['sasl', 'username', 'tls'].map((key) => ({ parameter: key, name: authParams.name, key })),
        secretTargetRef: [secretParam('password', props.kafkaUser.secret), ...(props.kafkaCa ? [secretParam('ca', props.kafkaCa)] : [])],
      },
    });
    new keda.ScaledObject(this, 'ScaledObject', {
      metadata: { name: 'consumer' },
      spec: {
        scaleTargetRef: { name: app.deployment.name },
        minReplicaCount: minReplicas,
        maxReplicaCount: maxReplicas,
        pollingInterval: 15,
        cooldownPeriod: 300,
        // One trigger per topic: KEDA's kafka scaler measures one topic, or without one only those
        // where the group has committed offsets already. The autoscaler follows the most behind.
        triggers: props.topics.map((topic) => ({
          type: 'kafka',
          metadata: {
            bootstrapServers: props.bootstrapServers,
            consumerGroup: props.consumerGroup,
            topic: topic.name,
            lagThreshold: String(lagThreshold),
            // Lag counts from the group's committed offsets; a new group has none yet.
            offsetResetPolicy: 'earliest',
            allowIdleConsumers: 'false',
          },
          authenticationRef: { name: auth.name },
        })),
      },
    });

    new AllowPolicy(this, 'Policy', {
      name: 'consumer',
      podSelector: app.labels,
      ingress: [{ peers: [prometheusPeer], ports: [{ port: CONSUMER_METRICS_PORT }] }],
      egress: props.dependencies.map((d) => ({ peers: [{ pods: d.pods }], ports: [{ port: d.port }] })),
    });
  }
}
