import './support/prepare.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { environments } from '../src/config.js';
import { envNames, id, type Manifest } from './support/manifests.js';
import { deployedManifests } from './support/deployed.js';
import { manifestValidator, type Validator } from './support/schemas.js';

let validate: Validator;
beforeAll(() => {
  validate = manifestValidator();
}, 120_000);

describe.each(envNames)('%s objects', (name) => {
  const all = deployedManifests(environments[name]);
  it('are valid against the pinned Kubernetes OpenAPI and CRD schemas', () => {
    const failures = all.map((m) => [id(m), validate(m)] as const).filter(([, errors]) => errors.length > 0);
    expect(failures).toEqual([]);
  });
});

describe('the schema check rejects', () => {
  const all = deployedManifests(environments.kind);
  const of = (kind: string, name: string) => structuredClone(all.find((m) => m.kind === kind && m.metadata.name === name)!);

  it('an unknown field in a core object', () => {
    const d = of('Deployment', 'ingest');
    d.spec.template.spec.containers[0].livenesProbe = {};
    expect(validate(d).join()).toMatch(/must NOT have additional properties: livenesProbe/);
  });

  it('a wrong type in a core object', () => {
    const d = of('Service', 'ingest');
    d.spec.ports[0].port = 'http';
    expect(validate(d).join()).toMatch(/port must be integer/);
  });

  it('an unknown field in a custom resource', () => {
    const k = of('Kafka', 'docpipe');
    k.spec.kafka.zookeeper = { replicas: 3 };
    expect(validate(k).join()).toMatch(/additional properties: zookeeper/);
  });

  it('a wrong type in a custom resource', () => {
    const t = of('KafkaTopic', 'documents');
    t.spec.partitions = 'six';
    expect(validate(t).join()).toMatch(/partitions must be integer/);
  });

  it('a kind the pinned Kubernetes does not serve', () => {
    expect(validate({ apiVersion: 'autoscaling/v2beta2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x' } })).toEqual([
      'autoscaling/v2beta2 HorizontalPodAutoscaler is not a Kubernetes 1.34.3 kind',
    ]);
  });
});
