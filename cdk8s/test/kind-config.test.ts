// kind-config.yaml holds a copy of the node ports of kind's manifests, since kind reads its port
// mappings from YAML only: these tests hold the copy to the manifests, and the Kafka brokers'
// advertised addresses to the laptop's ends of the mappings.
import './support/prepare.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { environments } from '../src/config.js';
import { repoRoot } from './support/make-up.js';
import { synthManifests } from './support/manifests.js';

interface PortMapping {
  containerPort: number;
  hostPort: number;
  listenAddress?: string;
  protocol?: string;
}

const kindConfig = parse(readFileSync(join(repoRoot, 'kind-config.yaml'), 'utf8')) as { nodes: { role: string; extraPortMappings?: PortMapping[] }[] };
const mappings = kindConfig.nodes.flatMap((n) => n.extraPortMappings ?? []);
const mappingOf = (nodePort: number) => mappings.find((m) => m.containerPort === nodePort);

describe('kind-config.yaml', () => {
  const manifests = synthManifests(environments.kind);
  const kafka = manifests.find((m) => m.kind === 'Kafka')!;
  const external = kafka.spec.kafka.listeners.find((l: any) => l.type === 'nodeport');

  it("maps every node port of kind's manifests to the laptop's loopback address alone", () => {
    const nodePorts = [
      ...manifests.filter((m) => m.kind === 'Service').flatMap((s) => (s.spec.ports ?? []).flatMap((p: any) => (p.nodePort ? [p.nodePort] : []))),
      external.configuration.bootstrap.nodePort,
      ...external.configuration.brokers.map((b: any) => b.nodePort),
    ];
    expect(nodePorts.length).toBeGreaterThan(2);
    for (const nodePort of nodePorts) expect(mappingOf(nodePort), `node port ${nodePort}`).toMatchObject({ listenAddress: '127.0.0.1', protocol: 'TCP' });
  });

  it('maps the Kafka node ports to the host ports the config names, and each broker advertises its own', () => {
    const config = environments.kind.kafka.external;
    if (config.type !== 'nodeport') throw new Error('kind exposes Kafka on node ports');
    for (const { nodePort, hostPort } of [config.bootstrap, ...config.brokers]) expect(mappingOf(nodePort)?.hostPort, `node port ${nodePort}`).toBe(hostPort);
    for (const broker of external.configuration.brokers) {
      const mapping = mappingOf(broker.nodePort)!;
      expect(`${broker.advertisedHost}:${broker.advertisedPort}`).toBe(`${mapping.listenAddress}:${mapping.hostPort}`);
    }
  });

  it('maps no port twice on the laptop', () => {
    const hostPorts = mappings.map((m) => m.hostPort);
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });
});
