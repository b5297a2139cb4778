import './support/prepare.js';
import { OperatorEnv, PORTS } from '@docpipe/contract';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/operator/src/config.js';
import { environments } from '../src/config.js';
import { envNames, synthCharts, type Manifest } from './support/manifests.js';
import { networkPolicyCoverage, pdbForEachDeployment, perObjectRules } from './support/policy.js';
import { plainEnv, secretValues } from './support/service-env.js';

const operatorChart = (name: (typeof envNames)[number]) => synthCharts(environments[name]).find((c) => c.chart.node.id === '50-operator')!.manifests;
const find = (all: Manifest[], kind: string, name: string) => all.find((m) => m.kind === kind && m.metadata.name === name)!;

describe.each(envNames)('the %s operator chart', (name) => {
  const all = operatorChart(name);
  const env = environments[name];

  it('runs two replicas as its own service account, with a PDB and the restricted profile', () => {
    const deployment = find(all, 'Deployment', 'operator');
    expect(deployment.spec.replicas).toBe(2);
    const pod = deployment.spec.template.spec;
    expect(pod).toMatchObject({ serviceAccountName: 'docpipe-operator', automountServiceAccountToken: true });
    expect(pod.containers[0].image).toBe(`docpipe/operator:${env.imageTag}`);
    expect(Object.values(perObjectRules).flatMap((rule) => all.flatMap(rule))).toEqual([]);
    expect(pdbForEachDeployment(all)).toEqual([]);
  });

  it('is allowed only namespaced verbs, none on Secrets, only to list Pods, and no wildcard', () => {
    expect(all.filter((m) => m.kind.startsWith('Cluster')).map((m) => m.kind)).toEqual([]);
    const rules = find(all, 'Role', 'docpipe-operator').rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    const granted = rules.flatMap((r) => r.resources);
    expect(granted).not.toContain('secrets');
    // Pods: listed, to find the replicas whose served revisions it reads; never created or changed.
    expect(rules.filter((r) => r.resources.includes('pods'))).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]);
    expect(rules.flatMap((r) => [...r.apiGroups, ...r.resources, ...r.verbs]).filter((x) => x === '*')).toEqual([]);
    expect(find(all, 'RoleBinding', 'docpipe-operator').subjects).toEqual([{ kind: 'ServiceAccount', name: 'docpipe-operator' }]);
  });

  it("talks to the API server and to ingest's and the consumers' metrics ports only, and is scraped by Prometheus", () => {
    const policy = find(all, 'NetworkPolicy', 'operator');
    const cidrs = env.kubernetesApi.flatMap((f) => f.cidrs);
    const peers = policy.spec.egress.flatMap((e: any) => e.to);
    expect(peers.flatMap((t: any) => (t.ipBlock ? [t.ipBlock.cidr] : []))).toEqual(expect.arrayContaining(cidrs));
    const toPods = policy.spec.egress.filter((e: any) => e.to.some((t: any) => !t.ipBlock));
    expect(toPods.map((e: any) => [e.to.map((t: any) => t.podSelector.matchLabels['app.kubernetes.io/name']), e.ports.map((p: any) => p.port)])).toEqual([
      [['ingest'], [PORTS.ingestHttp]],
      [['consumer'], [PORTS.consumerMetrics]],
    ]);
    expect(find(all, 'ServiceMonitor', 'operator').spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '15s' }]);
    expect(networkPolicyCoverage([...synthCharts(env).flatMap((c) => c.manifests)])).toEqual([]);
  });

  it('gives the operator an env its own config accepts, and sets nothing it does not read', () => {
    const container = find(all, 'Deployment', 'operator').spec.template.spec.containers[0];
    const config = loadConfig(plainEnv(container, secretValues(all)));
    expect(config.namespace).toBe(env.namespace);
    expect(config.cluster.consumerImage).toBe(`docpipe/consumer:${env.imageTag}`);
    expect(config.port).toBe(container.ports[0].containerPort);
    const read = new Set(Object.keys(OperatorEnv.properties));
    expect(container.env.map((v: { name: string }) => v.name).filter((n: string) => !read.has(n))).toEqual([]);
  });
});
