// The Kafka listener for producers outside the cluster: how Strimzi exposes it, whom the brokers
// admit on it, and what the brokers need of the cluster because of it.
import { PORTS } from '@docpipe/contract';
import * as strimzi from '../../imports/kafka.strimzi.io.js';
import type { ExternalListenerConfig, NodePortListenerConfig } from '../config.js';
import { networkPolicyPeer, type Peer } from './network.js';

/**
 * With this name on this port, Strimzi names the Services as it always has for an external
 * listener: `<cluster>-kafka-external-bootstrap` and `<cluster>-<pool>-<node>`.
 */
const NAME = 'external';
// The API server's default --service-node-port-range: a node port outside it is refused.
const NODE_PORT_RANGE = { min: 30000, max: 32767 };

export interface ExternalListener {
  /** The listener of the Kafka resource; its authentication is the cluster's, added there. */
  readonly listener: Omit<strimzi.KafkaSpecKafkaListeners, 'authentication'>;
  /** Where the producers' connections come from, for the brokers' NetworkPolicy. */
  readonly clients: readonly Peer[];
  /**
   * The brokers talk to the API server: with a nodeport listener, Strimzi's init container of each
   * broker reads its node's addresses from it.
   */
  readonly brokersReadNodes: boolean;
}

function checkNodePorts(config: NodePortListenerConfig, nodes: number): void {
  if (config.brokers.length !== nodes) {
    throw new Error(`the external listener maps ${config.brokers.length} broker node port(s) for ${nodes} Kafka node(s): one each`);
  }
  if (!config.advertisedHost) throw new Error('the external listener needs the host its brokers advertise (advertisedHost)');
  const mappings = [config.bootstrap, ...config.brokers];
  const outside = mappings.filter((m) => m.nodePort < NODE_PORT_RANGE.min || m.nodePort > NODE_PORT_RANGE.max);
  if (outside.length > 0) {
    throw new Error(`node port(s) ${outside.map((m) => m.nodePort).join(', ')} outside ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`);
  }
  for (const key of ['nodePort', 'hostPort'] as const) {
    const ports = mappings.map((m) => m[key]);
    const twice = ports.filter((p, i) => ports.indexOf(p) !== i);
    if (twice.length > 0) throw new Error(`the external listener uses ${key} ${twice.join(', ')} more than once`);
  }
}

function configuration(config: ExternalListenerConfig): strimzi.KafkaSpecKafkaListenersConfiguration {
  if (config.type === 'nodeport') {
    return {
      bootstrap: { nodePort: config.bootstrap.nodePort },
      brokers: config.brokers.map((b, node) => ({ broker: node, nodePort: b.nodePort, advertisedHost: config.advertisedHost, advertisedPort: b.hostPort })),
    };
  }
  return {
    // The load balancer keeps out what the brokers' NetworkPolicy would refuse, where the cloud
    // supports it; Local keeps the producer's own address, which that NetworkPolicy judges, and
    // spares a hop (each broker's load balancer sends only to the node that runs it).
    loadBalancerSourceRanges: [...config.sources],
    externalTrafficPolicy: strimzi.KafkaSpecKafkaListenersConfigurationExternalTrafficPolicy.LOCAL,
  };
}

/** The external listener of a cluster of `nodes` Kafka nodes. */
export function externalListener(config: ExternalListenerConfig, nodes: number): ExternalListener {
  if (config.sources.length === 0) throw new Error('the external listener needs the networks its producers arrive from (kafka.external.sources)');
  if (config.type === 'nodeport') checkNodePorts(config, nodes);
  const clients: Peer[] = config.sources.map((cidr) => ({ cidr }));
  const types = { nodeport: strimzi.KafkaSpecKafkaListenersType.NODEPORT, loadbalancer: strimzi.KafkaSpecKafkaListenersType.LOADBALANCER } as const;
  return {
    listener: {
      name: NAME,
      port: PORTS.kafkaExternal,
      type: types[config.type],
      tls: config.tls,
      configuration: configuration(config),
      // Strimzi's own policy for the nodes, when it makes one, then admits the same producers.
      networkPolicyPeers: clients.map(networkPolicyPeer),
    },
    clients,
    brokersReadNodes: config.type === 'nodeport',
  };
}
