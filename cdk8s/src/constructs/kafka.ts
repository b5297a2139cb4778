// Strimzi (kafka.strimzi.io/v1): a KRaft cluster of one node pool, its topics and its users.
import { INVOICES, PORTS, kafkaUserSecret, type SecretKey } from '@docpipe/contract';
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-34';
import * as strimzi from '../../imports/kafka.strimzi.io.js';
import type { ResourceSpec } from '../config.js';
import { AllowPolicy, namespaces, prometheusPeer, type Labels } from './network.js';

/** The listener clients use: SASL SCRAM-SHA-512 over plain TCP. */
const CLIENT_PORT = PORTS.kafkaClient;
// Strimzi's fixed internal ports: the KRaft controller listener and the replication listener that
// the operator, the entity operator and kafka-exporter use (mutual TLS).
const CONTROLLER_PORT = 9090;
const REPLICATION_PORT = 9091;
/** Strimzi exposes JMX exporter and kafka-exporter metrics on this port, named tcp-prometheus. */
export const METRICS_PORT = 9404;

// `cdk8s import` turns every enum value it can name into a member and silently drops the ones it
// cannot (those ending in a number), although the CRD accepts them.
const SCRAM_SHA_512 = 'scram-sha-512';

export interface KafkaClusterProps {
  /** @default 'docpipe' (so the bootstrap Service is docpipe-kafka-bootstrap) */
  readonly name?: string;
  /** Apache Kafka version; must be one the Strimzi release supports. */
  readonly version: string;
  /** Dual-role KRaft nodes. */
  readonly nodes: number;
  /** Size of each node's persistent volume. */
  readonly storageSize: string;
  /** Default replication for topics, including the internal offsets/transactions topics. */
  readonly replicationFactor: number;
  readonly minInSyncReplicas: number;
  readonly resources: ResourceSpec;
  /** JMX Prometheus exporter configuration (lowercaseOutputName, rules...) as YAML text. */
  readonly jmxExporterConfig: string;
  /** Pods allowed to connect to the client listener. */
  readonly clients: Labels[];
}

function quantities<T>(spec: ResourceSpec, make: (v: string) => T) {
  return {
    requests: { cpu: make(`${spec.cpuRequestMillis}m`), memory: make(`${spec.memoryRequestMiB}Mi`) },
    limits: { cpu: make(`${spec.cpuLimitMillis}m`), memory: make(`${spec.memoryLimitMiB}Mi`) },
  };
}

/**
 * A Kafka cluster in KRaft mode (no ZooKeeper) with SCRAM-SHA-512 clients, simple ACL
 * authorization, JMX metrics, kafka-exporter for consumer lag, and the NetworkPolicies its pods
 * need under the namespace's default-deny.
 */
export class KafkaCluster extends Construct {
  public readonly name: string;
  public readonly bootstrapServers: string;
  constructor(scope: Construct, id: string, props: KafkaClusterProps) {
    super(scope, id);
    this.name = props.name ?? 'docpipe';
    if (props.nodes < 1) throw new Error('a Kafka cluster needs at least one node');
    if (props.replicationFactor > props.nodes) {
      throw new Error(`replication factor ${props.replicationFactor} exceeds the ${props.nodes} Kafka node(s)`);
    }
    if (props.minInSyncReplicas > props.replicationFactor) {
      throw new Error('min.insync.replicas cannot exceed the replication factor (every acks=all write would fail)');
    }
    if (!props.jmxExporterConfig.trim()) throw new Error('the JMX exporter configuration is empty');
    this.bootstrapServers = `${this.name}-kafka-bootstrap:${CLIENT_PORT}`;
    const cluster = { 'strimzi.io/cluster': this.name };

    const metricsKey = 'kafka-metrics-config.yml';
    const metrics = new k8s.KubeConfigMap(this, 'Metrics', {
      metadata: { name: `${this.name}-kafka-metrics`, labels: cluster },
      data: { [metricsKey]: props.jmxExporterConfig },
    });

    new strimzi.KafkaNodePool(this, 'NodePool', {
      metadata: { name: 'dual', labels: cluster },
      spec: {
        replicas: props.nodes,
        roles: [strimzi.KafkaNodePoolSpecRoles.CONTROLLER, strimzi.KafkaNodePoolSpecRoles.BROKER],
        storage: {
          type: strimzi.KafkaNodePoolSpecStorageType.JBOD,
          volumes: [
            {
              id: 0,
              type: strimzi.KafkaNodePoolSpecStorageVolumesType.PERSISTENT_HYPHEN_CLAIM,
              size: props.storageSize,
              deleteClaim: false,
              kraftMetadata: strimzi.KafkaNodePoolSpecStorageVolumesKraftMetadata.SHARED,
            },
          ],
        },
        resources: quantities(props.resources, strimzi.KafkaNodePoolSpecResourcesLimits.fromString),
        // Heap at half the container memory leaves the rest to the page cache Kafka relies on.
        jvmOptions: { xms: `${Math.floor(props.resources.memoryLimitMiB / 2)}m`, xmx: `${Math.floor(props.resources.memoryLimitMiB / 2)}m` },
      },
    });

    const operatorResources: ResourceSpec = { cpuRequestMillis: 50, cpuLimitMillis: 500, memoryRequestMiB: 256, memoryLimitMiB: 512 };
    new strimzi.Kafka(this, 'Kafka', {
      metadata: { name: this.name },
      spec: {
        kafka: {
          version: props.version,
          listeners: [
            {
              name: 'plain',
              port: CLIENT_PORT,
              type: strimzi.KafkaSpecKafkaListenersType.INTERNAL,
              tls: false,
              authentication: { type: SCRAM_SHA_512 as strimzi.KafkaSpecKafkaListenersAuthenticationType },
            },
          ],
          authorization: { type: strimzi.KafkaSpecKafkaAuthorizationType.SIMPLE },
          config: {
            'default.replication.factor': props.replicationFactor,
            'min.insync.replicas': props.minInSyncReplicas,
            'offsets.topic.replication.factor': props.replicationFactor,
            'transaction.state.log.replication.factor': props.replicationFactor,
            'transaction.state.log.min.isr': props.minInSyncReplicas,
            // Topics exist only as KafkaTopic resources, so a typo in a client cannot create one.
            'auto.create.topics.enable': false,
          },
          metricsConfig: {
            type: strimzi.KafkaSpecKafkaMetricsConfigType.JMX_PROMETHEUS_EXPORTER,
            valueFrom: { configMapKeyRef: { name: metrics.name, key: metricsKey } },
          },
        },
        entityOperator: {
          topicOperator: { resources: quantities(operatorResources, strimzi.KafkaSpecEntityOperatorTopicOperatorResourcesLimits.fromString) },
          userOperator: { resources: quantities(operatorResources, strimzi.KafkaSpecEntityOperatorUserOperatorResourcesLimits.fromString) },
        },
        kafkaExporter: {
          // The invoices pipeline's topics all start with the name of its documents topic.
          topicRegex: `^${INVOICES.topics.documents}.*`,
          groupRegex: '^docpipe-.*',
          resources: quantities(
            { cpuRequestMillis: 25, cpuLimitMillis: 250, memoryRequestMiB: 64, memoryLimitMiB: 128 },
            strimzi.KafkaSpecKafkaExporterResourcesLimits.fromString,
          ),
        },
      },
    });

    this.networkPolicies(cluster, props.clients);
  }

  private networkPolicies(cluster: Labels, clients: Labels[]) {
    const nodes = { ...cluster, 'strimzi.io/name': `${this.name}-kafka` };
    const entityOperator = { ...cluster, 'strimzi.io/name': `${this.name}-entity-operator` };
    const exporter = { ...cluster, 'strimzi.io/name': `${this.name}-kafka-exporter` };
    const internal = [{ port: CONTROLLER_PORT }, { port: REPLICATION_PORT }];
    new AllowPolicy(this, 'NodesPolicy', {
      name: 'kafka-nodes',
      podSelector: nodes,
      operatorManagedPods: true,
      ingress: [
        // KRaft quorum and replication between the nodes; the entity operator and the exporter
        // use the replication listener too.
        { peers: [{ pods: cluster }], ports: internal },
        // The cluster operator reconciles through the same internal listeners.
        { peers: [{ namespace: namespaces.strimzi }], ports: internal },
        { peers: clients.map((pods) => ({ pods })), ports: [{ port: CLIENT_PORT }] },
        // KEDA's operator reads consumer-group lag for the consumer ScaledObject.
        { peers: [{ namespace: namespaces.keda }], ports: [{ port: CLIENT_PORT }] },
        { peers: [prometheusPeer], ports: [{ port: METRICS_PORT }] },
      ],
      egress: [{ peers: [{ pods: nodes }], ports: internal }],
    });
    new AllowPolicy(this, 'EntityOperatorPolicy', {
      name: 'kafka-entity-operator',
      podSelector: entityOperator,
      operatorManagedPods: true,
      egress: [
        { peers: [{ pods: nodes }], ports: [{ port: REPLICATION_PORT }] },
        // The topic and user operators watch KafkaTopic/KafkaUser through the API server, whose
        // address (a node IP behind the kubernetes Service) no pod selector can name.
        { peers: [{ cidr: '0.0.0.0/0' }], ports: [{ port: 443 }, { port: 6443 }] },
      ],
    });
    new AllowPolicy(this, 'ExporterPolicy', {
      name: 'kafka-exporter',
      podSelector: exporter,
      operatorManagedPods: true,
      ingress: [{ peers: [prometheusPeer], ports: [{ port: METRICS_PORT }] }],
      egress: [{ peers: [{ pods: nodes }], ports: [{ port: REPLICATION_PORT }] }],
    });
  }
}

export interface KafkaTopicProps {
  /** The Kafka cluster (strimzi.io/cluster label). */
  readonly cluster: string;
  /** Topic name; also the resource name after dots become dashes. */
  readonly topicName: string;
  readonly partitions: number;
  readonly replicas: number;
  readonly minInSyncReplicas: number;
  /** @default 7 days */
  readonly retentionMs?: number;
}

export class DocpipeTopic extends Construct {
  public readonly partitions: number;
  public readonly topicName: string;
  constructor(scope: Construct, id: string, props: KafkaTopicProps) {
    super(scope, id);
    if (props.partitions < 1) throw new Error(`topic ${props.topicName} needs at least one partition`);
    this.partitions = props.partitions;
    this.topicName = props.topicName;
    new strimzi.KafkaTopic(this, 'Resource', {
      metadata: { name: props.topicName.replaceAll('.', '-'), labels: { 'strimzi.io/cluster': props.cluster } },
      spec: {
        topicName: props.topicName,
        partitions: props.partitions,
        replicas: props.replicas,
        config: {
          'min.insync.replicas': props.minInSyncReplicas,
          'retention.ms': props.retentionMs ?? 7 * 24 * 3600 * 1000,
        },
      },
    });
  }
}

export interface TopicAccess {
  readonly topic: string;
  readonly operations: ('Read' | 'Write' | 'Describe')[];
}

export interface KafkaClientUserProps {
  readonly cluster: string;
  /** The SASL username; Strimzi writes its password to a Secret named after it. */
  readonly name: string;
  readonly topics: TopicAccess[];
  /** Consumer group the user may join. @default - none */
  readonly group?: string;
}

/** A SCRAM-SHA-512 KafkaUser with exactly the ACLs its part needs. */
export class KafkaClientUser extends Construct {
  /** Secret key (created by Strimzi's user operator) that holds the password. */
  public readonly secret: SecretKey;
  public readonly username: string;
  constructor(scope: Construct, id: string, props: KafkaClientUserProps) {
    super(scope, id);
    if (props.topics.length === 0) throw new Error(`user ${props.name} has no topic access`);
    this.username = props.name;
    this.secret = kafkaUserSecret(props.name);
    const Op = strimzi.KafkaUserSpecAuthorizationAclsOperations;
    const ops: Record<TopicAccess['operations'][number], strimzi.KafkaUserSpecAuthorizationAclsOperations> = {
      Read: Op.READ,
      Write: Op.WRITE,
      Describe: Op.DESCRIBE,
    };
    const acls: strimzi.KafkaUserSpecAuthorizationAcls[] = props.topics.map((t) => ({
      type: strimzi.KafkaUserSpecAuthorizationAclsType.ALLOW,
      resource: {
        type: strimzi.KafkaUserSpecAuthorizationAclsResourceType.TOPIC,
        name: t.topic,
        patternType: strimzi.KafkaUserSpecAuthorizationAclsResourcePatternType.LITERAL,
      },
      operations: [...new Set([...t.operations, 'Describe' as const])].map((o) => ops[o]),
    }));
    if (props.group) {
      acls.push({
        type: strimzi.KafkaUserSpecAuthorizationAclsType.ALLOW,
        resource: {
          type: strimzi.KafkaUserSpecAuthorizationAclsResourceType.GROUP,
          name: props.group,
          patternType: strimzi.KafkaUserSpecAuthorizationAclsResourcePatternType.LITERAL,
        },
        operations: [Op.READ, Op.DESCRIBE],
      });
    }
    new strimzi.KafkaUser(this, 'Resource', {
      metadata: { name: props.name, labels: { 'strimzi.io/cluster': props.cluster } },
      spec: {
        authentication: { type: SCRAM_SHA_512 as strimzi.KafkaUserSpecAuthenticationType },
        authorization: { type: strimzi.KafkaUserSpecAuthorizationType.SIMPLE, acls },
      },
    });
  }
}
