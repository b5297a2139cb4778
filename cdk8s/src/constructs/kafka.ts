// Strimzi (kafka.strimzi.io/v1): a KRaft cluster of one node pool, its topics and its users.
import { PORTS, aclBindings, kafkaUserSecret, type KafkaAccess, type SecretKey } from '@docpipe/contract';
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-34';
import * as strimzi from '../../imports/kafka.strimzi.io.js';
import type { CidrFlow, ExternalListenerConfig, ResourceSpec } from '../config.js';
import type { Env, SecretFile } from './app.js';
import { externalListener, type ExternalListener } from './kafka-external.js';
import { AllowPolicy, cidrFlows, namespaces, networkPolicyPeer, prometheusPeer, type Labels, type Peer } from './network.js';

/** The listener clients use: SASL SCRAM-SHA-512, over TLS where the environment asks for it. */
const CLIENT_PORT = PORTS.kafkaClient;
// Strimzi's fixed internal ports: the KRaft controller listener, the replication listener that
// the operator, the entity operator and kafka-exporter use (mutual TLS), and the KafkaAgent that
// the cluster operator asks for a broker's state while it rolls the nodes.
const CONTROLLER_PORT = 9090;
const REPLICATION_PORT = 9091;
const KAFKA_AGENT_PORT = 8443;
/** Where the clients find the cluster CA's certificate. */
const CLUSTER_CA_FILE = '/etc/docpipe/kafka-ca/ca.crt';
/** Strimzi exposes JMX exporter and kafka-exporter metrics on this port, named tcp-prometheus. */
export const METRICS_PORT = 9404;

/** KEDA's operator, which reads consumer-group lag for the consumer's ScaledObject. */
const kedaPeer: Peer = { namespace: namespaces.keda };

// `cdk8s import` turns every enum value it can name into a member and silently drops the ones it
// cannot (those ending in a number), although the CRD accepts them.
const SCRAM_SHA_512 = 'scram-sha-512';

export interface KafkaClusterProps {
  /** @default 'docpipe' (so the bootstrap Service is docpipe-kafka-bootstrap) */
  readonly name?: string;
  /** The namespace of the cluster: KEDA dials the bootstrap Service from its own. */
  readonly namespace: string;
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
  /**
   * The client listener speaks TLS with certificates of Strimzi's cluster CA.
   * @default true
   */
  readonly tls?: boolean;
  /** Where the entity operator (and, behind node ports, each broker) reaches the Kubernetes API. */
  readonly kubernetesApi: readonly CidrFlow[];
  /**
   * A second listener, for producers outside the cluster.
   * @default - none: only pods in the cluster reach Kafka
   */
  readonly external?: ExternalListenerConfig;
}

function quantities<T>(spec: ResourceSpec, make: (v: string) => T) {
  return {
    requests: { cpu: make(`${spec.cpuRequestMillis}m`), memory: make(`${spec.memoryRequestMiB}Mi`) },
    limits: { cpu: make(`${spec.cpuLimitMillis}m`), memory: make(`${spec.memoryLimitMiB}Mi`) },
  };
}

/**
 * A Kafka cluster in KRaft mode (no ZooKeeper) with SCRAM-SHA-512 clients (over TLS unless `tls` is false), simple ACL
 * authorization, JMX metrics, kafka-exporter for consumer lag, and the NetworkPolicies its pods
 * need under the namespace's default-deny; with `external`, a listener for producers outside the
 * cluster too.
 */
export class KafkaCluster extends Construct {
  public readonly name: string;
  /** The bootstrap Service, qualified with its namespace: KEDA resolves it from another one. */
  public readonly bootstrapServers: string;
  public readonly tls: boolean;
  /** Strimzi's Secret with the certificate of the CA that signs the listeners' certificates. */
  public readonly clusterCa: SecretKey;
  /** Files a client container mounts: the cluster CA with TLS, nothing without. */
  public readonly clientFiles: readonly SecretFile[];
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
    if (props.kubernetesApi.length === 0) throw new Error('the entity operator needs a route to the Kubernetes API');
    this.bootstrapServers = `${this.name}-kafka-bootstrap.${props.namespace}.svc:${CLIENT_PORT}`;
    this.tls = props.tls ?? true;
    this.clusterCa = { name: `${this.name}-cluster-ca-cert`, key: 'ca.crt' };
    this.clientFiles = this.tls ? [{ secret: this.clusterCa, path: CLUSTER_CA_FILE }] : [];
    const cluster = { 'strimzi.io/cluster': this.name };
    // Strimzi's own policy for the nodes (generateNetworkPolicy) opens a listener to these peers
    // only, and to everyone without them; the kafka-nodes policy below admits the same.
    const listenerPeers: Peer[] = [...props.clients.map((pods) => ({ pods })), kedaPeer];
    const external = props.external && externalListener(props.external, props.nodes);
    const authentication = { type: SCRAM_SHA_512 as strimzi.KafkaSpecKafkaListenersAuthenticationType };

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
              name: this.tls ? 'tls' : 'plain',
              port: CLIENT_PORT,
              type: strimzi.KafkaSpecKafkaListenersType.INTERNAL,
              tls: this.tls,
              authentication,
              networkPolicyPeers: listenerPeers.map(networkPolicyPeer),
            },
            ...(external ? [{ ...external.listener, authentication }] : []),
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
          // Every pipeline's topics, whatever they are named; Kafka's internal topics start with _.
          topicRegex: '^[^_].*',
          groupRegex: '^docpipe-.*',
          resources: quantities(
            { cpuRequestMillis: 25, cpuLimitMillis: 250, memoryRequestMiB: 64, memoryLimitMiB: 128 },
            strimzi.KafkaSpecKafkaExporterResourcesLimits.fromString,
          ),
        },
      },
    });

    this.networkPolicies(cluster, listenerPeers, props.kubernetesApi, external);
  }

  /** Env a client part needs to reach the listener as `user`: where, who, and with TLS the CA to trust. */
  clientVariables(user: Pick<KafkaClientUser, 'username' | 'secret'>): [string, Env][] {
    const tls: [string, Env][] = [
      ['KAFKA_SSL', 'true'],
      ['KAFKA_CA_FILE', CLUSTER_CA_FILE],
    ];
    return [
      ['KAFKA_BROKERS', this.bootstrapServers],
      ['KAFKA_CLIENT_ID', user.username],
      ['KAFKA_SASL_USERNAME', user.username],
      ['KAFKA_SASL_PASSWORD', user.secret],
      ...(this.tls ? tls : []),
    ];
  }

  /**
   * The flows of Strimzi's own components as Strimzi's generated policy for the nodes admits them,
   * so that these policies are complete without it: they are what the namespace's default-deny
   * leaves open, whether or not the operator's generateNetworkPolicy is on.
   */
  private networkPolicies(cluster: Labels, listenerPeers: Peer[], kubernetesApi: readonly CidrFlow[], external: ExternalListener | undefined) {
    const nodes = { ...cluster, 'strimzi.io/name': `${this.name}-kafka` };
    const entityOperator = { ...cluster, 'strimzi.io/name': `${this.name}-entity-operator` };
    const exporter = { ...cluster, 'strimzi.io/name': `${this.name}-kafka-exporter` };
    const internal = [{ port: CONTROLLER_PORT }, { port: REPLICATION_PORT }];
    const clusterOperator: Peer = { namespace: namespaces.strimzi, pods: { 'strimzi.io/kind': 'cluster-operator' } };
    new AllowPolicy(this, 'NodesPolicy', {
      name: 'kafka-nodes',
      podSelector: nodes,
      operatorManagedPods: true,
      ingress: [
        // KRaft quorum and replication between the nodes; the entity operator and the exporter
        // use the replication listener too.
        { peers: [{ pods: cluster }], ports: internal },
        { peers: [clusterOperator], ports: [...internal, { port: KAFKA_AGENT_PORT }] },
        // KEDA's operator, among them, reads consumer-group lag for the consumer ScaledObject.
        { peers: listenerPeers, ports: [{ port: CLIENT_PORT }] },
        ...(external ? [{ peers: [...external.clients], ports: [{ port: PORTS.kafkaExternal }] }] : []),
        { peers: [prometheusPeer], ports: [{ port: METRICS_PORT }] },
      ],
      egress: [
        { peers: [{ pods: nodes }], ports: internal },
        // Behind node ports, each broker's init container asks the API server for its node's addresses.
        ...(external?.brokersReadNodes ? cidrFlows(kubernetesApi) : []),
      ],
    });
    new AllowPolicy(this, 'EntityOperatorPolicy', {
      name: 'kafka-entity-operator',
      podSelector: entityOperator,
      operatorManagedPods: true,
      egress: [
        { peers: [{ pods: nodes }], ports: [{ port: REPLICATION_PORT }] },
        // The topic and user operators watch KafkaTopic/KafkaUser through the API server, whose
        // addresses (the control plane's, behind the kubernetes Service) no selector can name.
        ...cidrFlows(kubernetesApi),
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

export interface KafkaClientUserProps {
  readonly cluster: string;
  /** The SASL username; Strimzi writes its password to a Secret named after it. */
  readonly name: string;
  /** What the user may do (the contract's ingestAccess, consumerAccess...); with no topic, it may only authenticate. */
  readonly access: KafkaAccess;
  /** Beside strimzi.io/cluster. @default - none */
  readonly labels?: Labels;
}

/** A SCRAM-SHA-512 KafkaUser with exactly the ACLs its part needs. */
export class KafkaClientUser extends Construct {
  /** Secret key (created by Strimzi's user operator) that holds the password. */
  public readonly secret: SecretKey;
  public readonly username: string;
  constructor(scope: Construct, id: string, props: KafkaClientUserProps) {
    super(scope, id);
    this.username = props.name;
    this.secret = kafkaUserSecret(props.name);
    const Op = strimzi.KafkaUserSpecAuthorizationAclsOperations;
    const ops = { Read: Op.READ, Write: Op.WRITE, Describe: Op.DESCRIBE } as const;
    const types = {
      topic: strimzi.KafkaUserSpecAuthorizationAclsResourceType.TOPIC,
      group: strimzi.KafkaUserSpecAuthorizationAclsResourceType.GROUP,
    } as const;
    const acls: strimzi.KafkaUserSpecAuthorizationAcls[] = aclBindings(props.access).map((binding) => ({
      type: strimzi.KafkaUserSpecAuthorizationAclsType.ALLOW,
      resource: {
        type: types[binding.resource],
        name: binding.name,
        patternType: strimzi.KafkaUserSpecAuthorizationAclsResourcePatternType.LITERAL,
      },
      operations: binding.operations.map((o) => ops[o]),
    }));
    new strimzi.KafkaUser(this, 'Resource', {
      metadata: { name: props.name, labels: { ...props.labels, 'strimzi.io/cluster': props.cluster } },
      spec: {
        authentication: { type: SCRAM_SHA_512 as strimzi.KafkaUserSpecAuthenticationType },
        authorization: { type: strimzi.KafkaUserSpecAuthorizationType.SIMPLE, acls },
      },
    });
  }
}
