// The manifests' NetworkPolicies, evaluated the way a network plugin does for the subset they use
// (matchLabels selectors, namespaces by their kubernetes.io/metadata.name label, IPv4 ipBlocks,
// numbered TCP and UDP ports), so that a test can ask whether a flow gets through.
import type { Manifest } from './manifests.js';

export interface Pod {
  readonly namespace: string;
  readonly labels: Record<string, string>;
}
/** A pod, or an address outside the pod network (a node, the API server, the internet). */
export type Endpoint = Pod | { readonly ip: string };

const isPod = (e: Endpoint): e is Pod => 'namespace' in e;
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

function ipv4(address: string): number {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${address}`);
  return parts.reduce((n, p) => n * 256 + p, 0);
}

export function inCidr(address: string, cidr: string): boolean {
  const [network, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4(address) / size) === Math.floor(ipv4(network!) / size);
}

function peerMatches(peer: any, policyNamespace: string, other: Endpoint): boolean {
  if (peer.ipBlock) return !isPod(other) && inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c: string) => inCidr(other.ip, c));
  if (!isPod(other)) return false;
  const namespaceMatches = peer.namespaceSelector
    ? matches(peer.namespaceSelector.matchLabels, { 'kubernetes.io/metadata.name': other.namespace })
    : other.namespace === policyNamespace;
  return namespaceMatches && matches(peer.podSelector?.matchLabels, other.labels);
}

const portMatches = (ports: any[] | undefined, port: number, protocol: string) =>
  !ports || ports.some((p) => (p.port === undefined || p.port === port) && (p.protocol ?? 'TCP') === protocol);

/** Whether the policies let `from` open a connection to `to` on `port`. */
export function admits(manifests: Manifest[], from: Endpoint, to: Endpoint, port: number, protocol = 'TCP'): boolean {
  const policies = manifests.filter((m) => m.kind === 'NetworkPolicy');
  const side = (direction: 'Ingress' | 'Egress', self: Endpoint, other: Endpoint) => {
    if (!isPod(self)) return true;
    const selecting = policies.filter(
      (p) => p.metadata.namespace === self.namespace && (p.spec.policyTypes ?? []).includes(direction) && matches(p.spec.podSelector?.matchLabels, self.labels),
    );
    // A pod no policy selects for this direction is not isolated in it.
    if (selecting.length === 0) return true;
    const rules = (p: Manifest): any[] => (direction === 'Ingress' ? p.spec.ingress : p.spec.egress) ?? [];
    return selecting.some((p) =>
      rules(p).some((r) => {
        const peers = direction === 'Ingress' ? r.from : r.to;
        return portMatches(r.ports, port, protocol) && (!peers || peers.some((peer: any) => peerMatches(peer, p.metadata.namespace!, other)));
      }),
    );
  };
  return side('Egress', from, to) && side('Ingress', to, from);
}

/** Every ipBlock of every policy, with the policy that holds it. */
export function ipBlocks(manifests: Manifest[]): { policy: string; cidr: string }[] {
  return manifests
    .filter((m) => m.kind === 'NetworkPolicy')
    .flatMap((p) =>
      [...(p.spec.ingress ?? []).flatMap((r: any) => r.from ?? []), ...(p.spec.egress ?? []).flatMap((r: any) => r.to ?? [])]
        .filter((peer: any) => peer.ipBlock)
        .map((peer: any) => ({ policy: p.metadata.name!, cidr: peer.ipBlock.cidr as string })),
    );
}

/** RFC 1918: addresses a cluster's nodes, pods, Services and control plane use, never the internet's. */
export const PRIVATE_NETWORKS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

export function isPrivateCidr(cidr: string): boolean {
  const bits = Number(cidr.split('/')[1]);
  return PRIVATE_NETWORKS.some((net) => bits >= Number(net.split('/')[1]) && inCidr(cidr.split('/')[0]!, net));
}
