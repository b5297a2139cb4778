import './support/prepare.js';
import { describe, expect, it } from 'vitest';
import { environments } from '../src/config.js';
import { envNames, type Manifest } from './support/manifests.js';
import { deployedManifests } from './support/deployed.js';
import { networkPolicyCoverage, pdbForEachDeployment, perObjectRules } from './support/policy.js';

const clone = <T>(x: T): T => structuredClone(x);

describe.each(envNames)('%s workloads', (name) => {
  const all = deployedManifests(environments[name]);

  it.each(Object.entries(perObjectRules))('pass %s', (_, rule) => {
    expect(all.flatMap(rule)).toEqual([]);
  });

  it('have a PodDisruptionBudget for each Deployment', () => {
    expect(pdbForEachDeployment(all)).toEqual([]);
  });

  it('are all isolated by default-deny and selected by an allow rule', () => {
    expect(networkPolicyCoverage(all)).toEqual([]);
  });
});

describe('the policy rules catch', () => {
  const all = deployedManifests(environments.kind);
  const ingest = all.find((m) => m.kind === 'Deployment' && m.metadata.name === 'ingest')!;
  const broken = (mutate: (container: any, m: Manifest) => void): Manifest => {
    const m = clone(ingest);
    mutate(m.spec.template.spec.containers[0], m);
    return m;
  };

  it('a container allowed to escalate privileges or keep capabilities', () => {
    expect(perObjectRules.podSecurityRestricted(broken((c) => (c.securityContext.allowPrivilegeEscalation = true)))).toHaveLength(1);
    expect(perObjectRules.podSecurityRestricted(broken((c) => (c.securityContext.capabilities = {})))).toHaveLength(1);
    expect(perObjectRules.podSecurityRestricted(broken((c, m) => {
      delete c.securityContext.runAsNonRoot;
      delete m.spec.template.spec.securityContext.runAsNonRoot;
    }))).toHaveLength(1);
  });

  it('a container without limits or probes', () => {
    expect(perObjectRules.resourcesSet(broken((c) => delete c.resources.limits))).toHaveLength(2);
    expect(perObjectRules.probesSet(broken((c) => delete c.readinessProbe))).toEqual(['Deployment/ingest container ingest: no readiness probe']);
  });

  it('an image on latest or without a tag', () => {
    expect(perObjectRules.imagesPinned(broken((c) => (c.image = 'docpipe/ingest:latest')))).toHaveLength(1);
    expect(perObjectRules.imagesPinned(broken((c) => (c.image = 'registry:5000/docpipe/ingest')))).toHaveLength(1);
    expect(perObjectRules.imagesPinned(broken((c) => (c.image = 'mongo@sha256:abc')))).toEqual([]);
  });

  it('a pinned image pulled again on every start', () => {
    expect(perObjectRules.pinnedImagesPulledOnce(broken((c) => (c.imagePullPolicy = 'Always')))).toHaveLength(1);
    expect(perObjectRules.pinnedImagesPulledOnce(broken((c) => ((c.image = 'docpipe/ingest:latest'), (c.imagePullPolicy = 'Always'))))).toEqual([]);
  });

  it('a Deployment without a PDB', () => {
    expect(pdbForEachDeployment(all.filter((m) => !(m.kind === 'PodDisruptionBudget' && m.metadata.name === 'consumer-orders')))).toEqual([
      'Deployment/consumer-orders: no PodDisruptionBudget selects its pods',
    ]);
  });

  it('a workload no allow rule selects, and a missing default-deny', () => {
    const withoutJobsPolicy = all.filter((m) => !(m.kind === 'NetworkPolicy' && m.metadata.name === 'jobs'));
    expect(networkPolicyCoverage(withoutJobsPolicy)).toEqual(['CronJob/user-counter: no allow NetworkPolicy selects its pods', 'CronJob/count-cleaner: no allow NetworkPolicy selects its pods']);
    expect(networkPolicyCoverage(all.filter((m) => m.metadata.name !== 'default-deny'))).toContain(
      'no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)',
    );
  });
});
