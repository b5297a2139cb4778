import './support/prepare.js';
import { PORTS } from '@docpipe/contract';
import { describe, expect, it } from 'vitest';
import { environments } from '../src/config.js';
import { envNames, type Manifest } from './support/manifests.js';
import { deployedManifests } from './support/deployed.js';
import { admits, ipBlocks, isPrivateCidr, type Pod } from './support/network.js';

const ns = 'docpipe';
const cluster = { 'strimzi.io/cluster': 'docpipe' };
// The labels Strimzi gives the pods it runs (strimzi.io/name is <cluster>-<component>).
const pods = {
  nodes: { namespace: ns, labels: { ...cluster, 'strimzi.io/name': 'docpipe-kafka', 'strimzi.io/kind': 'Kafka', 'strimzi.io/pool-name': 'dual' } },
  entityOperator: { namespace: ns, labels: { ...cluster, 'strimzi.io/name': 'docpipe-entity-operator', 'strimzi.io/kind': 'Kafka' } },
  exporter: { namespace: ns, labels: { ...cluster, 'strimzi.io/name': 'docpipe-kafka-exporter', 'strimzi.io/kind': 'Kafka' } },
  // The Helm chart's Deployment, in the namespace `make up` installs it to.
  clusterOperator: { namespace: 'strimzi', labels: { name: 'strimzi-cluster-operator', 'strimzi.io/kind': 'cluster-operator' } },
  kedaOperator: { namespace: 'keda', labels: { app: 'keda-operator', 'app.kubernetes.io/name': 'keda-operator' } },
  ingest: { namespace: ns, labels: { 'app.kubernetes.io/name': 'ingest', 'app.kubernetes.io/part-of': 'docpipe', 'app.kubernetes.io/component': 'service' } },
  // A pod of one pipeline's consumer, as the operator labels it.
  consumer: {
    namespace: ns,
    labels: { 'app.kubernetes.io/name': 'consumer', 'app.kubernetes.io/part-of': 'docpipe', 'app.kubernetes.io/component': 'service', 'docpipe.dev/pipeline': 'orders' },
  },
  operator: { namespace: ns, labels: { 'app.kubernetes.io/name': 'operator', 'app.kubernetes.io/part-of': 'docpipe', 'app.kubernetes.io/component': 'controller' } },
  stranger: { namespace: 'default', labels: { app: 'curl' } },
} satisfies Record<string, Pod>;

/**
 * What Strimzi's generated policy for the nodes (KafkaCluster.generateNetworkPolicy, Strimzi
 * 1.2.0) opens to Strimzi's own components: the KRaft control plane, replication, and the
 * KafkaAgent, which the cluster operator asks for a node's state while it rolls the nodes.
 */
const strimziFlows: { from: keyof typeof pods; ports: number[] }[] = [
  { from: 'clusterOperator', ports: [9090, 9091, 8443] },
  { from: 'nodes', ports: [9090, 9091] },
  { from: 'entityOperator', ports: [9091] },
  { from: 'exporter', ports: [9091] },
];

describe.each(envNames)('%s NetworkPolicies', (name) => {
  const all = deployedManifests(environments[name]);
  const kafka = all.find((m) => m.kind === 'Kafka')!;

  it.each(strimziFlows.flatMap(({ from, ports }) => ports.map((port) => [from, port] as const)))(
    'let %s reach the Kafka nodes on %i by themselves (generateNetworkPolicy on or off)',
    (from, port) => {
      expect(admits(all, pods[from], pods.nodes, port)).toBe(true);
    },
  );

  it("open every listener to the same peers as Strimzi's own policy does (its networkPolicyPeers)", () => {
    const policy = all.find((m) => m.kind === 'NetworkPolicy' && m.metadata.name === 'kafka-nodes')!;
    const listeners = kafka.spec.kafka.listeners;
    expect(listeners.map((l: any) => l.port)).toEqual([PORTS.kafkaClient, PORTS.kafkaExternal]);
    for (const listener of listeners) {
      const rules = policy.spec.ingress.filter((r: any) => r.ports.some((p: any) => p.port === listener.port));
      expect(rules, listener.name).toHaveLength(1);
      expect(listener.networkPolicyPeers, listener.name).toEqual(rules[0].from);
    }
    for (const client of ['ingest', 'consumer', 'kedaOperator'] as const) expect(admits(all, pods[client], pods.nodes, PORTS.kafkaClient)).toBe(true);
    expect(admits(all, pods.stranger, pods.nodes, PORTS.kafkaClient)).toBe(false);
  });

  it('admit the external listener from its sources alone, and the client listener from none of them', () => {
    const { sources } = environments[name].kafka.external;
    expect(sources.length).toBeGreaterThan(0);
    // The first address of each source network, as a node or load balancer hands a producer on.
    const producers = sources.map((cidr) => ({ ip: cidr.split('/')[0]!.replace(/\.0$/, '.1') }));
    for (const producer of producers) {
      expect(admits(all, producer, pods.nodes, PORTS.kafkaExternal), producer.ip).toBe(true);
      expect(admits(all, producer, pods.nodes, PORTS.kafkaClient), producer.ip).toBe(false);
    }
    expect(admits(all, { ip: '203.0.113.7' }, pods.nodes, PORTS.kafkaExternal)).toBe(false);
    expect(admits(all, pods.stranger, pods.nodes, PORTS.kafkaExternal)).toBe(false);
  });

  it("let the operator read, and only read, what ingest's and the consumers' replicas serve", () => {
    expect(admits(all, pods.operator, pods.ingest, PORTS.ingestHttp)).toBe(true);
    expect(admits(all, pods.operator, pods.consumer, PORTS.consumerMetrics)).toBe(true);
    expect(admits(all, pods.operator, pods.nodes, PORTS.kafkaClient)).toBe(false);
    expect(admits(all, pods.stranger, pods.consumer, PORTS.consumerMetrics)).toBe(false);
  });

  it('name private networks only: no rule reaches or admits the internet', () => {
    const blocks = ipBlocks(all);
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks.filter((b) => !isPrivateCidr(b.cidr))).toEqual([]);
    expect(admits(all, pods.entityOperator, { ip: '203.0.113.7' }, 443)).toBe(false);
    expect(admits(all, { ip: '203.0.113.7' }, pods.ingest, PORTS.ingestHttp)).toBe(false);
  });

  it('let the entity operator reach the API server only on its ports', () => {
    const apiServer = name === 'kind' ? [{ ip: '172.18.0.2' }, 6443] : [{ ip: '10.0.0.10' }, 443];
    expect(admits(all, pods.entityOperator, apiServer[0] as { ip: string }, apiServer[1] as number)).toBe(true);
    expect(admits(all, pods.entityOperator, apiServer[0] as { ip: string }, 22)).toBe(false);
  });
});

describe('kind NetworkPolicies', () => {
  const all = deployedManifests(environments.kind);

  it("admit NodePort clients from the nodes' network and kind's pod subnet (kube-proxy's source for a local pod)", () => {
    for (const ip of ['172.18.0.1', '172.18.0.3', '10.244.1.1']) expect(admits(all, { ip }, pods.ingest, PORTS.ingestHttp), ip).toBe(true);
  });

  it("let the entity operator use the kubernetes Service's address too", () => {
    expect(admits(all, pods.entityOperator, { ip: '10.96.0.1' }, 443)).toBe(true);
  });

  it("let the brokers read their node from the API server, as Strimzi's init container does behind node ports", () => {
    expect(admits(all, pods.nodes, { ip: '172.18.0.2' }, 6443)).toBe(true);
    expect(admits(all, pods.nodes, { ip: '10.96.0.1' }, 443)).toBe(true);
    expect(admits(all, pods.nodes, { ip: '172.18.0.2' }, 22)).toBe(false);
  });
});

describe("production's brokers", () => {
  const all = deployedManifests(environments.production);

  it('keep the brokers away from the API server: behind load balancers no init container reads the node', () => {
    expect(admits(all, pods.nodes, { ip: '10.0.0.10' }, 443)).toBe(false);
    expect(admits(all, pods.entityOperator, { ip: '10.0.0.10' }, 443)).toBe(true);
  });
});

describe('the flow check catches', () => {
  const all = deployedManifests(environments.kind);
  const without = (mutate: (nodes: Manifest) => void) =>
    all.map((m) => {
      if (m.kind !== 'NetworkPolicy' || m.metadata.name !== 'kafka-nodes') return m;
      const copy = structuredClone(m);
      mutate(copy);
      return copy;
    });

  it('a port missing from the nodes policy', () => {
    const broken = without((p) => {
      for (const rule of p.spec.ingress) rule.ports = rule.ports.filter((port: any) => port.port !== 8443);
    });
    expect(admits(broken, pods.clusterOperator, pods.nodes, 8443)).toBe(false);
  });

  it('an external listener port missing from the nodes policy', () => {
    const broken = without((p) => {
      p.spec.ingress = p.spec.ingress.filter((rule: any) => !rule.ports.some((port: any) => port.port === PORTS.kafkaExternal));
    });
    expect(admits(broken, { ip: '172.18.0.1' }, pods.nodes, PORTS.kafkaExternal)).toBe(false);
  });

  it('a peer in the wrong namespace', () => {
    const broken = without((p) => {
      for (const rule of p.spec.ingress) for (const peer of rule.from) if (peer.namespaceSelector) peer.namespaceSelector.matchLabels['kubernetes.io/metadata.name'] = 'elsewhere';
    });
    expect(admits(broken, pods.clusterOperator, pods.nodes, 9091)).toBe(false);
  });
});
