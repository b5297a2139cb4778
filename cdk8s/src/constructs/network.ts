// NetworkPolicy building blocks. The namespace denies everything; each real flow is one named
// policy, so `kubectl get netpol` reads like the data-flow diagram.
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-34';
import type { CidrFlow } from '../config.js';

export type Labels = Record<string, string>;

export interface Peer {
  /** Pods in the policy's namespace (or in `namespace`, when given) with these labels. */
  readonly pods?: Labels;
  /** Another namespace, by its kubernetes.io/metadata.name label. */
  readonly namespace?: string;
  /** Addresses outside the cluster's pod network (the API server, NodePort clients). */
  readonly cidr?: string;
}

export interface Flow {
  readonly peers: Peer[];
  readonly ports: { readonly port: number; readonly protocol?: 'TCP' | 'UDP' }[];
}

export interface AllowPolicyProps {
  /** metadata.name of the policy. */
  readonly name: string;
  /** Pods the policy applies to. */
  readonly podSelector: Labels;
  /** @default - no ingress allowed by this policy */
  readonly ingress?: Flow[];
  /** @default - no egress allowed by this policy */
  readonly egress?: Flow[];
  /**
   * The pods are created by an operator, not by these manifests, so a linter looking for them
   * among the manifests finds none.
   * @default false
   */
  readonly operatorManagedPods?: boolean;
}

/** The peer as a NetworkPolicy (and Strimzi's networkPolicyPeers) writes it. */
export function networkPolicyPeer(p: Peer): k8s.NetworkPolicyPeer {
  if (p.cidr) {
    if (p.pods || p.namespace) throw new Error('a cidr peer cannot also select pods or namespaces');
    if (p.cidr.endsWith('/0')) throw new Error(`cidr ${p.cidr} is every address: name the networks the flow needs`);
    return { ipBlock: { cidr: p.cidr } };
  }
  if (!p.pods && !p.namespace) throw new Error('a peer needs pods, a namespace or a cidr');
  return {
    ...(p.pods ? { podSelector: { matchLabels: p.pods } } : {}),
    ...(p.namespace ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } } } : {}),
  };
}

function ports(flow: Flow): k8s.NetworkPolicyPort[] {
  if (flow.ports.length === 0) throw new Error('a flow must name its ports');
  return flow.ports.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol ?? 'TCP' }));
}

/** One allow rule: pods matching `podSelector` may receive `ingress` and send `egress`. */
export class AllowPolicy extends Construct {
  public readonly podSelector: Labels;
  constructor(scope: Construct, id: string, props: AllowPolicyProps) {
    super(scope, id);
    const ingress = props.ingress ?? [];
    const egress = props.egress ?? [];
    if (ingress.length === 0 && egress.length === 0) throw new Error(`policy ${props.name} allows nothing`);
    this.podSelector = props.podSelector;
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: {
        name: props.name,
        ...(props.operatorManagedPods ? { annotations: { 'kube-score/ignore': 'networkpolicy-targets-pod' } } : {}),
      },
      spec: {
        podSelector: { matchLabels: props.podSelector },
        policyTypes: [...(ingress.length ? ['Ingress'] : []), ...(egress.length ? ['Egress'] : [])],
        ...(ingress.length ? { ingress: ingress.map((f) => ({ from: f.peers.map(networkPolicyPeer), ports: ports(f) })) } : {}),
        ...(egress.length ? { egress: egress.map((f) => ({ to: f.peers.map(networkPolicyPeer), ports: ports(f) })) } : {}),
      },
    });
  }
}

/** Namespaces outside docpipe that take part in the flows. */
export const namespaces = {
  monitoring: 'monitoring',
  strimzi: 'strimzi',
  keda: 'keda',
  kubeSystem: 'kube-system',
} as const;

export const prometheusPeer: Peer = { namespace: namespaces.monitoring, pods: { 'app.kubernetes.io/name': 'prometheus' } };

/** Flows to addresses that no selector names, one peer per network. */
export function cidrFlows(flows: readonly CidrFlow[]): Flow[] {
  return flows.map((f) => ({ peers: f.cidrs.map((cidr) => ({ cidr })), ports: f.ports.map((port) => ({ port })) }));
}
