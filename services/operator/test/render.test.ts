// The children the operator renders, without a cluster: what they are, whom they belong to, and
// that they pass the same checks as `make synth`'s objects (schemas, Pod Security, the env the
// consumer itself accepts).
import '../../../cdk8s/test/support/prepare.js';
import { compilePipelineYaml, type CompiledPipeline } from '@docpipe/pipeline';
import type { KubernetesObject } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { perObjectRules, pdbForEachDeployment } from '../../../cdk8s/test/support/policy.js';
import { manifestValidator, type Validator } from '../../../cdk8s/test/support/schemas.js';
import { parts, plainEnv, secretValues, unreadVariables } from '../../../cdk8s/test/support/service-env.js';
import type { Manifest } from '../../../cdk8s/test/support/manifests.js';
import { EXTERNAL_KAFKA_USER, INGEST_KAFKA_USER } from '@docpipe/contract';
import { CATALOG_KINDS, CHILD_KINDS } from '../src/children/kinds.js';
import { renderCatalog, renderChildren } from '../src/children/render.js';
import { loadConfig } from '../src/config.js';
import type { PipelineObject } from '../src/kube.js';
import { operatorEnv } from './support/operator.js';

const root = new URL('../../..', import.meta.url).pathname;
const compiled = (file: string, edit: (text: string) => string = (t) => t) =>
  compilePipelineYaml(edit(readFileSync(join(root, 'pipelines', file), 'utf8')), file);
const owner = (p: CompiledPipeline): PipelineObject => ({
  apiVersion: 'docpipe.dev/v1alpha1',
  kind: 'DocumentPipeline',
  metadata: { name: p.name, namespace: 'docpipe', uid: `uid-${p.name}`, generation: 1 },
  spec: p.spec,
});
const cluster = loadConfig(operatorEnv('unit')).cluster;
const render = (p: CompiledPipeline, c = cluster) => renderChildren(owner(p), p, c) as Manifest[];
const byName = (all: KubernetesObject[], kind: string, name: string) => all.find((o) => o.kind === kind && o.metadata?.name === name) as any;

describe('the children of a pipeline', () => {
  const orders = compiled('orders.yaml');
  const all = render(orders);

  it('are of kinds the operator watches and prunes, owned by the pipeline and labelled with its name', () => {
    const kinds = new Set(CHILD_KINDS.map((k) => `${k.apiVersion}/${k.kind}`));
    expect(all.filter((o) => !kinds.has(`${o.apiVersion}/${o.kind}`)).map((o) => o.kind)).toEqual([]);
    for (const o of all) {
      expect(o.metadata.namespace).toBe('docpipe');
      expect(o.metadata.labels).toMatchObject({ 'docpipe.dev/pipeline': 'orders' });
      expect((o.metadata as any).ownerReferences).toEqual([expect.objectContaining({ uid: 'uid-orders', controller: true })]);
    }
  });

  it('have stable names, unique per kind', () => {
    const ids = all.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(render(orders).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(ids);
  });

  it('keep the invoices pipeline on its historical topics, with a group of its own', () => {
    const invoices = render(compiled('invoices.yaml'));
    expect(invoices.filter((o) => o.kind === 'KafkaTopic').map((o) => o.spec.topicName)).toEqual(['documents', 'documents.rejected', 'documents.dlq']);
    const env = byName(invoices, 'Deployment', 'consumer-invoices').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'KAFKA_GROUP_ID', value: 'docpipe-consumer-invoices' });
  });

  it('give the consumer only the topics it needs, and its own group', () => {
    const acls = byName(all, 'KafkaUser', 'consumer-orders').spec.authorization.acls;
    const access = acls.map((a: any) => `${a.resource.type}:${a.resource.name}:${a.operations.sort().join('+')}`).sort();
    expect(access).toEqual([
      'group:docpipe-consumer-orders:Describe+Read',
      'topic:orders.dlq:Describe+Write',
      'topic:orders.inbox:Describe+Read',
      // An inbox record that fails validation goes to rejected, which the consumer reads too.
      'topic:orders.rejected:Describe+Read+Write',
      'topic:orders:Describe+Read',
    ]);
  });

  it('run a consumer whose env its own config accepts, and that sets nothing it does not read', () => {
    const container = byName(all, 'Deployment', 'consumer-orders').spec.template.spec.containers[0];
    const env = plainEnv(container, secretValues(all));
    expect(() => parts.consumer.loadConfig(env)).not.toThrow();
    expect(unreadVariables('consumer', container)).toEqual([]);
    expect(env['MONGODB_URI']).toMatch(/^mongodb:\/\/docpipe:[0-9a-f]+@mongodb-0\.mongodb\.docpipe\.svc\.cluster\.local:27017\/\?replicaSet=rs0&authSource=admin$/);
  });

  it('trust the cluster CA, in the consumer and in KEDA, when Kafka speaks TLS', () => {
    const tls = render(orders, { ...cluster, kafkaTls: true });
    const pod = byName(tls, 'Deployment', 'consumer-orders').spec.template.spec;
    expect(pod.containers[0].env).toEqual(expect.arrayContaining([{ name: 'KAFKA_SSL', value: 'true' }, { name: 'KAFKA_CA_FILE', value: '/etc/docpipe/kafka-ca/ca.crt' }]));
    expect(pod.volumes).toContainEqual(expect.objectContaining({ secret: expect.objectContaining({ secretName: 'docpipe-cluster-ca-cert' }) }));
    expect(byName(tls, 'TriggerAuthentication', 'consumer-orders').spec.secretTargetRef).toContainEqual({ parameter: 'ca', name: 'docpipe-cluster-ca-cert', key: 'ca.crt' });
    expect(byName(tls, 'ConfigMap', 'consumer-orders-keda-kafka').data.tls).toBe('enable');
  });

  it('follow the spec: no inbox topic without the inbox, scaling bounds, partitions', () => {
    const noInbox = render(compiled('orders.yaml', (t) => t.replace('enabled: true', 'enabled: false').replace('partitions: 3', 'partitions: 5')));
    expect(noInbox.filter((o) => o.kind === 'KafkaTopic').map((o) => o.metadata.name)).toEqual(['orders', 'orders-rejected', 'orders-dlq']);
    expect(byName(noInbox, 'KafkaTopic', 'orders').spec.partitions).toBe(5);
    expect(byName(noInbox, 'ScaledObject', 'consumer-orders').spec).toMatchObject({ minReplicaCount: 1, maxReplicaCount: 3 });
  });

  it('refuse more consumers than partitions', () => {
    const wide = compiled('orders.yaml', (t) => t.replace('maxReplicas: 3', 'maxReplicas: 4'));
    expect(() => render(wide)).toThrow(/scaling.maxReplicas 4 exceeds the 3 partitions of orders/);
  });

  it('pass Pod Security restricted, resources, probes, pinned images, and a PDB for the Deployment', () => {
    expect(Object.values(perObjectRules).flatMap((rule) => all.flatMap(rule))).toEqual([]);
    expect(pdbForEachDeployment(all)).toEqual([]);
  });

  it('alert on this pipeline’s own group, and chart it on a dashboard of its own', () => {
    const rules = byName(all, 'PrometheusRule', 'docpipe-pipeline-orders').spec.groups[0].rules;
    expect(rules.map((r: any) => r.alert)).toEqual(['DocpipePipelineLagGrowing', 'DocpipePipelineNoConsumer']);
    expect(rules.every((r: any) => r.expr.includes('consumergroup="docpipe-consumer-orders"'))).toBe(true);
    const dashboard = JSON.parse(byName(all, 'ConfigMap', 'dashboard-docpipe-pipeline-orders').data['docpipe-pipeline-orders.json']);
    expect(dashboard.uid).toBe('docpipe-pipeline-orders');
  });
});

describe('the catalog', () => {
  const orders = compiled('orders.yaml');
  const invoices = compiled('invoices.yaml');
  const catalog = (...pipelines: CompiledPipeline[]) => renderCatalog('docpipe', pipelines, cluster) as Manifest[];
  /** A user's ACLs, as `type:name:operations`. */
  const acls = (all: Manifest[], user: string) =>
    byName(all, 'KafkaUser', user)
      .spec.authorization.acls.map((a: any) => `${a.type}:${a.resource.type}:${a.resource.name}:${a.resource.patternType}:${[...a.operations].sort().join('+')}`)
      .sort();

  it('is of the kinds the operator watches by its label, owned by no pipeline', () => {
    const all = catalog(orders, invoices);
    expect(all.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ConfigMap/docpipe-pipelines', `KafkaUser/${INGEST_KAFKA_USER}`, `KafkaUser/${EXTERNAL_KAFKA_USER}`]);
    const kinds = new Set(CATALOG_KINDS.map((k) => `${k.apiVersion}/${k.kind}`));
    for (const o of all) {
      expect(kinds.has(`${o.apiVersion}/${o.kind}`), o.kind).toBe(true);
      expect(Object.keys(o.metadata.labels ?? {})).toContain('docpipe.dev/catalog');
      expect((o.metadata as any).ownerReferences).toBeUndefined();
    }
  });

  it('lets producers outside the cluster write the inbox of each pipeline that has one, and nothing else', () => {
    expect(acls(catalog(orders, invoices), EXTERNAL_KAFKA_USER)).toEqual(['allow:topic:orders.inbox:literal:Describe+Write']);
    const noInbox = compiled('orders.yaml', (t) => t.replace('enabled: true', 'enabled: false'));
    expect(acls(catalog(noInbox, invoices), EXTERNAL_KAFKA_USER)).toEqual([]);
    // ingest's own rights do not change with it.
    expect(acls(catalog(orders), INGEST_KAFKA_USER)).toEqual(['allow:topic:orders.rejected:literal:Describe+Write', 'allow:topic:orders:literal:Describe+Write']);
  });

  it("renders the external producers' user as its snapshot holds it", () => {
    expect(byName(catalog(orders, invoices), 'KafkaUser', EXTERNAL_KAFKA_USER)).toMatchSnapshot();
  });
});

describe('the children against the pinned schemas', () => {
  let validate: Validator;
  beforeAll(() => {
    validate = manifestValidator();
  }, 120_000);

  it('are valid Kubernetes 1.34 objects and custom resources, with no unknown field', () => {
    const all = render(compiled('orders.yaml'), { ...cluster, kafkaTls: true });
    expect(all.map((m) => [`${m.kind}/${m.metadata.name}`, validate(m)]).filter(([, errors]) => errors.length > 0)).toEqual([]);
  });

  it('and so is the catalog, with and without an inbox to write', () => {
    for (const pipelines of [[compiled('orders.yaml'), compiled('invoices.yaml')], [compiled('invoices.yaml')]]) {
      const all = renderCatalog('docpipe', pipelines, cluster) as Manifest[];
      expect(all.map((m) => [`${m.kind}/${m.metadata.name}`, validate(m)]).filter(([, errors]) => errors.length > 0)).toEqual([]);
    }
  });
});
