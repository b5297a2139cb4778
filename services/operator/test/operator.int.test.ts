// The operator against a real kube-apiserver and etcd (no controllers, no nodes), running in this
// process as its own service account, so the synthesized Role is what it may do. Strimzi's
// readiness of topics and users is set by the test itself (markKafkaReady), as Strimzi would.
import { EXTERNAL_KAFKA_USER, INGEST_KAFKA_USER, PIPELINE_CATALOG, PIPELINES_MOUNT, PORT_NAMES, servedPipelinesMetric } from '@docpipe/contract';
import { servedPipelinesGauge, serviceRegistry } from '@docpipe/runtime';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compilePipelineYaml } from '@docpipe/pipeline';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { RunningOperator } from '../src/operator.js';
import { eventually, NAMESPACE, OPERATOR_USER, root, TestCluster } from './support/cluster.js';
import { startTestOperator } from './support/operator.js';

let cluster: TestCluster;
let operator: RunningOperator;

beforeAll(async () => {
  cluster = TestCluster.start('operator');
  operator = await startTestOperator(cluster, 'replica-a');
}, 600_000);

afterAll(async () => {
  await operator?.stop();
  cluster?.stop();
});

const ORDERS_CHILDREN = [
  'ConfigMap/consumer-orders-keda-kafka',
  'ConfigMap/dashboard-docpipe-pipeline-orders',
  'ConfigMap/docpipe-pipeline-orders',
  'Deployment/consumer-orders',
  'KafkaTopic/orders',
  'KafkaTopic/orders-dlq',
  'KafkaTopic/orders-inbox',
  'KafkaTopic/orders-rejected',
  'KafkaUser/consumer-orders',
  'NetworkPolicy/consumer-orders',
  'PodDisruptionBudget/consumer-orders',
  'PrometheusRule/docpipe-pipeline-orders',
  'ScaledObject/consumer-orders',
  'Service/consumer-orders-metrics',
  'TriggerAuthentication/consumer-orders',
];

const manifest = (file: string) => parse(readFileSync(join(root, 'pipelines', file), 'utf8'));
const apply = (resource: object) => cluster.kubectl(['-n', NAMESPACE, 'apply', '--server-side', '--field-manager=person', '-f', '-'], stringify(resource));
const get = (kind: string, name: string) => {
  const r = cluster.kubectl(['-n', NAMESPACE, 'get', kind, name, '-o', 'json']);
  return r.status === 0 ? JSON.parse(r.stdout) : undefined;
};
const condition = (p: any, type: string) => p?.status?.conditions?.find((c: any) => c.type === type);

/** The pipeline once its status speaks of its current generation. */
const settled = (name: string, ready: 'True' | 'False') =>
  eventually(async () => {
    const p = get('documentpipeline', name);
    const c = condition(p, 'Ready');
    return c?.status === ready && c.observedGeneration === p.metadata.generation && p.status.observedGeneration === p.metadata.generation ? p : undefined;
  }, `${name} Ready=${ready} at its generation`);

const childNames = async (name: string) => [...(await cluster.children(name)).keys()].sort();

describe('a new pipeline', () => {
  it('gets every child, owned by it, labelled with its name, with the content its spec asks for', async () => {
    expect(apply(manifest('orders.yaml')).stderr).toBe('');
    await eventually(async () => ((await childNames('orders')).length === ORDERS_CHILDREN.length ? true : undefined), 'the children of orders');
    const children = await cluster.children('orders');
    expect([...children.keys()].sort()).toEqual(ORDERS_CHILDREN);
    const p = get('documentpipeline', 'orders');
    for (const child of children.values()) {
      expect(child.metadata?.ownerReferences).toEqual([
        { apiVersion: 'docpipe.dev/v1alpha1', kind: 'DocumentPipeline', name: 'orders', uid: p.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
    }
    expect(p.metadata.finalizers).toEqual(['docpipe.dev/cleanup']);

    const topic = children.get('KafkaTopic/orders')!;
    expect(topic.metadata?.labels).toMatchObject({ 'strimzi.io/cluster': 'docpipe', 'docpipe.dev/pipeline': 'orders' });
    expect((topic as any).spec).toMatchObject({ topicName: 'orders', partitions: 3, config: { 'retention.ms': 7 * 24 * 3600 * 1000 } });
    expect((children.get('KafkaTopic/orders-dlq') as any).spec).toMatchObject({ topicName: 'orders.dlq', partitions: 1 });

    // The projection is the spec as the API server holds it: it compiles to the revision the status names.
    const projection = (children.get('ConfigMap/docpipe-pipeline-orders') as any).data['orders.yaml'];
    const compiled = compilePipelineYaml(projection, 'projection');
    expect(compiled.spec).toEqual(p.spec);
    expect(compiled.generation).toBe(1);

    const pod = (children.get('Deployment/consumer-orders') as any).spec.template.spec;
    const consumer = pod.containers[0];
    expect(consumer.image).toBe('docpipe/consumer:dev');
    expect(consumer.env).toEqual(expect.arrayContaining([{ name: 'KAFKA_GROUP_ID', value: 'docpipe-consumer-orders' }, { name: 'PIPELINES_DIR', value: PIPELINES_MOUNT }]));
    const mount = consumer.volumeMounts.find((m: any) => m.mountPath === PIPELINES_MOUNT);
    expect(pod.volumes.find((v: any) => v.name === mount.name).configMap.name).toBe('docpipe-pipeline-orders');

    const scaled = (children.get('ScaledObject/consumer-orders') as any).spec;
    expect(scaled).toMatchObject({ scaleTargetRef: { name: 'consumer-orders' }, minReplicaCount: 1, maxReplicaCount: 3 });
    expect(scaled.triggers.map((t: any) => [t.metadata.topic, t.metadata.consumerGroup])).toEqual([
      ['orders', 'docpipe-consumer-orders'],
      ['orders.rejected', 'docpipe-consumer-orders'],
      ['orders.inbox', 'docpipe-consumer-orders'],
    ]);
    const user = (children.get('KafkaUser/consumer-orders') as any).spec.authorization.acls;
    expect(user).toContainEqual(expect.objectContaining({ resource: expect.objectContaining({ type: 'group', name: 'docpipe-consumer-orders' }) }));
  });

  it('is not Ready while Strimzi has not reported its topics, and says which', async () => {
    const p = await settled('orders', 'False');
    expect(condition(p, 'Ready')).toMatchObject({ reason: 'KafkaNotReady', message: expect.stringContaining('KafkaTopic/orders is not Ready: the Strimzi topic operator has not reported on it yet') });
    expect(condition(p, 'Progressing')).toMatchObject({ status: 'True', reason: 'WaitingForKafka' });
    expect(condition(p, 'Degraded')).toMatchObject({ status: 'False' });
    expect(p.status).toMatchObject({ observedGeneration: 1, topics: { documents: 'orders', rejected: 'orders.rejected', deadletter: 'orders.dlq', inbox: 'orders.inbox' } });
  });

  it('is Ready once they are, with the revision ingest and the consumer compute for it', async () => {
    await cluster.markKafkaReady('orders');
    const p = await settled('orders', 'True');
    const projection = get('configmap', 'docpipe-pipeline-orders').data['orders.yaml'];
    expect(p.status.revision).toBe(compilePipelineYaml(projection, 'projection').revision);
    expect(condition(p, 'Progressing')).toMatchObject({ status: 'False', reason: 'Reconciled' });
    const columns = cluster.must(['-n', NAMESPACE, 'get', 'documentpipelines']);
    console.log(columns);
    expect(columns).toMatch(/^NAME\s+READY\s+GENERATION\s+TOPIC\s+AGE$/m);
    expect(columns).toMatch(/^orders\s+True\s+1\s+orders\s+\S+$/m);
  });
});

describe('an edited spec', () => {
  it('updates the children, prunes what it no longer wants, and the status follows the generation', async () => {
    const before = get('documentpipeline', 'orders');
    const edited = manifest('orders.yaml');
    edited.spec.topic.partitions = 6;
    edited.spec.scaling.maxReplicas = 5;
    edited.spec.inbox.enabled = false;
    expect(apply(edited).stderr).toBe('');
    await eventually(async () => (get('kafkatopic', 'orders')?.spec.partitions === 6 ? true : undefined), 'partitions 6 on KafkaTopic orders');
    await eventually(async () => (get('kafkatopic', 'orders-inbox') === undefined ? true : undefined), 'the inbox topic pruned');
    expect(get('scaledobject', 'consumer-orders').spec.maxReplicaCount).toBe(5);
    expect(get('scaledobject', 'consumer-orders').spec.triggers).toHaveLength(2);
    // Strimzi has not acted on the new partitions yet: the old Ready of the topic does not count.
    const waiting = await settled('orders', 'False');
    expect(waiting.metadata.generation).toBe(2);
    expect(condition(waiting, 'Ready').message).toContain('KafkaTopic/orders is not Ready: the Strimzi topic operator has not acted on its latest change yet');
    expect(waiting.status.topics).not.toHaveProperty('inbox');
    await cluster.markKafkaReady('orders');
    const ready = await settled('orders', 'True');
    expect(ready.status.revision).not.toBe(before.status.revision);
    expect(parse(get('configmap', 'docpipe-pipeline-orders').data['orders.yaml']).spec.topic.partitions).toBe(6);
  });

  it('that does not compile keeps the children of the last good revision, and says why', async () => {
    const good = get('configmap', 'docpipe-pipeline-orders').data['orders.yaml'];
    const broken = manifest('orders.yaml');
    broken.spec.topic.partitions = 6;
    broken.spec.scaling.maxReplicas = 5;
    broken.spec.inbox.enabled = false;
    broken.spec.examples.valid[0].lines[0].quantity = 0;
    expect(apply(broken).stderr).toBe('');
    const p = await settled('orders', 'False');
    expect(condition(p, 'Ready')).toMatchObject({ reason: 'InvalidSpec', message: expect.stringContaining('spec.examples.valid[0] is refused: lines[0].quantity must be >= 1') });
    expect(condition(p, 'Degraded')).toMatchObject({ status: 'True', reason: 'InvalidSpec' });
    expect(get('configmap', 'docpipe-pipeline-orders').data['orders.yaml']).toBe(good);
  });
});

describe('a child deleted by hand', () => {
  it('comes back', async () => {
    const fixed = manifest('orders.yaml');
    fixed.spec.topic.partitions = 6;
    fixed.spec.scaling.maxReplicas = 5;
    fixed.spec.inbox.enabled = false;
    expect(apply(fixed).stderr).toBe('');
    await cluster.markKafkaReady('orders');
    await settled('orders', 'True');
    for (const [kind, name] of [['deployment', 'consumer-orders'], ['configmap', 'docpipe-pipeline-orders'], ['kafkatopic', 'orders-rejected']] as const) {
      const uid = get(kind, name).metadata.uid;
      cluster.must(['-n', NAMESPACE, 'delete', kind, name]);
      const back = await eventually(async () => {
        const o = get(kind, name);
        return o && o.metadata.uid !== uid ? o : undefined;
      }, `${kind}/${name} back`);
      expect(back.metadata.ownerReferences[0].name).toBe('orders');
    }
  });
});

describe("ingest's catalog", () => {
  const catalog = () => get('configmap', PIPELINE_CATALOG)?.data ?? {};
  /** A user's ACLs, as `name:operations` (topics) or `group:name:operations`. */
  const accessOf = (user: string) =>
    (get('kafkauser', user)?.spec.authorization.acls ?? [])
      .map((a: any) => `${a.resource.type === 'topic' ? '' : `${a.resource.type}:`}${a.resource.name}:${[...a.operations].sort().join('+')}`)
      .sort();
  const ingestAccess = () => accessOf(INGEST_KAFKA_USER);
  const externalAccess = () => accessOf(EXTERNAL_KAFKA_USER);
  const served = (name: string) => (catalog()[`${name}.yaml`] === undefined ? undefined : compilePipelineYaml(catalog()[`${name}.yaml`], 'catalog').revision);

  it('serves a Ready pipeline at its Ready revision, and lets ingest write its topics', async () => {
    // The topic deleted by hand above came back without Strimzi's word on it.
    await cluster.markKafkaReady('orders');
    const p = await settled('orders', 'True');
    await eventually(async () => (served('orders') === p.status.revision ? true : undefined), 'orders in the catalog at its revision');
    expect(ingestAccess()).toEqual(['orders.rejected:Describe+Write', 'orders:Describe+Write']);
    // Its inbox was switched off above: outside producers have nothing to write.
    expect(externalAccess()).toEqual([]);
    for (const o of [get('configmap', PIPELINE_CATALOG), get('kafkauser', INGEST_KAFKA_USER), get('kafkauser', EXTERNAL_KAFKA_USER)]) {
      expect(o.metadata.ownerReferences ?? []).toEqual([]);
    }
  });

  it('takes a new pipeline in only once its topics are Ready', async () => {
    expect(apply(manifest('invoices.yaml')).stderr).toBe('');
    await settled('invoices', 'False');
    expect(served('invoices')).toBeUndefined();
    expect(ingestAccess()).not.toContain('documents:Describe+Write');
    await cluster.markKafkaReady('invoices');
    const p = await settled('invoices', 'True');
    await eventually(async () => (served('invoices') === p.status.revision ? true : undefined), 'invoices in the catalog');
    await eventually(async () => (ingestAccess().includes('documents:Describe+Write') ? true : undefined), 'ingest may write documents');
    expect(ingestAccess()).toEqual(['documents.rejected:Describe+Write', 'documents:Describe+Write', 'orders.rejected:Describe+Write', 'orders:Describe+Write']);
  });

  it('keeps serving the last good revision while a spec does not compile, even when deleted by hand', async () => {
    const good = served('orders');
    const broken = manifest('orders.yaml');
    Object.assign(broken.spec.topic, { partitions: 6 });
    Object.assign(broken.spec.scaling, { maxReplicas: 5 });
    broken.spec.inbox.enabled = false;
    const quantity = broken.spec.examples.valid[0].lines[0].quantity;
    broken.spec.examples.valid[0].lines[0].quantity = 0;
    expect(apply(broken).stderr).toBe('');
    await settled('orders', 'False');
    expect(served('orders')).toBe(good);
    // Deleted meanwhile, the catalog comes back with the revision that is Ready.
    cluster.must(['-n', NAMESPACE, 'delete', 'configmap', PIPELINE_CATALOG]);
    await eventually(async () => (served('orders') === good && served('invoices') ? true : undefined), 'the catalog back, at the good revision');
    broken.spec.examples.valid[0].lines[0].quantity = quantity;
    expect(apply(broken).stderr).toBe('');
    await settled('orders', 'True');
  });

  it('lets go of a deleted pipeline: no spec for ingest, no access to its topics', async () => {
    cluster.must(['-n', NAMESPACE, 'delete', 'documentpipeline', 'invoices', '--wait=false']);
    await eventually(async () => (served('invoices') === undefined && !ingestAccess().includes('documents:Describe+Write') ? true : undefined), 'invoices out of the catalog');
    expect(Object.keys(catalog())).toEqual(['orders.yaml']);
  });

  it('lets producers outside the cluster write an inbox once its topic is Ready, and nothing else', async () => {
    const withInbox = manifest('orders.yaml');
    Object.assign(withInbox.spec.topic, { partitions: 6 });
    Object.assign(withInbox.spec.scaling, { maxReplicas: 5 });
    expect(apply(withInbox).stderr).toBe('');
    await eventually(async () => (get('kafkatopic', 'orders-inbox') ? true : undefined), 'the inbox topic');
    await settled('orders', 'False');
    expect(externalAccess()).toEqual([]);
    await cluster.markKafkaReady('orders');
    await settled('orders', 'True');
    await eventually(async () => (externalAccess().length > 0 ? true : undefined), 'outside producers may write the inbox');
    expect(externalAccess()).toEqual(['orders.inbox:Describe+Write']);
    expect(ingestAccess()).toEqual(['orders.rejected:Describe+Write', 'orders:Describe+Write']);
  });
});

describe('what is live', () => {
  // No kubelet runs here: the test stands in for one ingest and one consumer replica, a Pod object
  // whose status it sets itself, at an address where it serves the gauge the services export.
  let server: Server;
  let served: { name: string; revision: string; generation: number | undefined }[] = [];
  const standIns = [
    { name: 'ingest-stand-in', labels: { 'app.kubernetes.io/name': 'ingest' }, port: PORT_NAMES.ingestHttp },
    { name: 'consumer-stand-in', labels: { 'app.kubernetes.io/name': 'consumer', 'docpipe.dev/pipeline': 'orders' }, port: PORT_NAMES.consumerMetrics },
  ];

  beforeAll(async () => {
    const registry = serviceRegistry();
    servedPipelinesGauge(registry, servedPipelinesMetric('ingest'), () => served);
    servedPipelinesGauge(registry, servedPipelinesMetric('consumer'), () => served);
    server = createServer((_, res) => void registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    // The ServiceAccount admission needs the namespace's default account, which a controller makes.
    cluster.kubectl(['-n', NAMESPACE, 'create', 'serviceaccount', 'default']);
    for (const pod of standIns) {
      const container = { name: 'app', image: 'docpipe/stand-in:dev', ports: [{ name: pod.port, containerPort: port }], securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } };
      const spec = { automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } }, containers: [container] };
      cluster.must(['-n', NAMESPACE, 'apply', '-f', '-'], stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: pod.name, labels: pod.labels }, spec }));
      const status = { phase: 'Running', podIP: '127.0.0.1', podIPs: [{ ip: '127.0.0.1' }], conditions: [{ type: 'Ready', status: 'True' }] };
      cluster.must(['-n', NAMESPACE, 'patch', 'pod', pod.name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
    }
  });

  afterAll(async () => {
    for (const pod of standIns) cluster.kubectl(['-n', NAMESPACE, 'delete', 'pod', pod.name, '--wait=false']);
    await new Promise((resolve) => server?.close(resolve));
  });

  it('is read from every ready replica, and Progressing says so until all serve the revision', async () => {
    const p = await settled('orders', 'True');
    served = [{ name: 'orders', revision: 'an-older-revision', generation: p.metadata.generation - 1 }];
    // A pod changing is no event the operator watches; a touch of the resource queues it now.
    cluster.must(['-n', NAMESPACE, 'annotate', '--overwrite', 'documentpipeline', 'orders', `docpipe.dev/test-touch=${Date.now()}`]);
    const rolling = await eventually(async () => {
      const o = get('documentpipeline', 'orders');
      // Both stand-ins seen: a reconcile may have run while the second was still being made.
      return condition(o, 'Progressing')?.reason === 'RollingOut' && o.status.serving?.consumer.replicas === 1 ? o : undefined;
    }, 'orders rolling out');
    expect(rolling.status.serving).toEqual({
      ingest: { replicas: 1, current: 0, generations: [p.metadata.generation - 1] },
      consumer: { replicas: 1, current: 0, generations: [p.metadata.generation - 1] },
    });
    expect(condition(rolling, 'Progressing').message).toContain('is live in ingest: 0 of 1 ready replicas, consumer: 0 of 1 ready replicas');
    expect(condition(rolling, 'Ready').status).toBe('True');

    // The replicas load the revision; the operator looks again by itself.
    served = [{ name: 'orders', revision: p.status.revision, generation: p.metadata.generation }];
    const live = await eventually(async () => {
      const o = get('documentpipeline', 'orders');
      return condition(o, 'Progressing')?.reason === 'Reconciled' ? o : undefined;
    }, 'orders served by every replica');
    expect(live.status.serving).toEqual({
      ingest: { replicas: 1, current: 1, generations: [p.metadata.generation] },
      consumer: { replicas: 1, current: 1, generations: [p.metadata.generation] },
    });
  });
});

describe('the API server refuses', () => {
  const refused = (mutate: (r: any) => void) => {
    const r = manifest('orders.yaml');
    mutate(r);
    return cluster.kubectl(['-n', NAMESPACE, 'apply', '--server-side', '--dry-run=server', '--field-manager=person', '-f', '-'], stringify(r));
  };

  it('a partition count that shrinks (a transition rule)', () => {
    const r = refused((o) => (o.spec.topic.partitions = 2));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('partitions may only grow');
  });

  it('a name that cannot name topics and collections (a rule on metadata.name)', () => {
    const r = refused((o) => (o.metadata.name = 'orders.v2'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('metadata.name must match');
  });

  it('more consumers than partitions, and min above max', () => {
    expect(refused((o) => (o.spec.scaling.maxReplicas = 7)).stderr).toContain('scaling.maxReplicas must not exceed topic.partitions');
    expect(refused((o) => (o.spec.scaling.minReplicas = 4)).stderr).toContain('scaling.minReplicas must not exceed maxReplicas');
  });

  it('what the schema itself forbids: an unknown field, a wrong type, a system collection', () => {
    expect(refused((o) => (o.spec.topic.partitons = 3)).stderr).toContain('.spec.topic.partitons: field not declared in schema');
    expect(refused((o) => (o.spec.topic.retentionDays = 'a week')).stderr).toContain('.spec.topic.retentionDays: expected numeric');
    expect(refused((o) => (o.spec.topic.retentionDays = 0)).stderr).toContain('spec.topic.retentionDays: Invalid value: 0: spec.topic.retentionDays in body should be greater than or equal to 1');
    expect(refused((o) => (o.spec.storage.collection = 'system.users')).stderr).toContain('must not match ^system\\.');
  });

  it('and takes the sample resources as they are', () => {
    const r = cluster.kubectl(['-n', NAMESPACE, 'apply', '--server-side', '--dry-run=server', '-f', join(root, 'pipelines', 'invoices.yaml')]);
    expect(r.stderr).toBe('');
    expect(refused((o) => (o.metadata.name = 'orders-copy')).stderr).toBe('');
  });
});

describe('deleting a pipeline', () => {
  const deleted = (name: string) => eventually(async () => (get('documentpipeline', name) === undefined ? true : undefined), `${name} gone`);

  it('with deletionPolicy Retain keeps its topics, no longer owned, and lets go', async () => {
    const r = manifest('orders.yaml');
    r.metadata.name = 'keep';
    r.spec.inbox.enabled = false;
    expect(apply(r).stderr).toBe('');
    await eventually(async () => (get('kafkatopic', 'keep-dlq') ? true : undefined), 'topics of keep');
    cluster.must(['-n', NAMESPACE, 'delete', 'documentpipeline', 'keep', '--wait=false']);
    await deleted('keep');
    // No garbage collector runs here; in a cluster it deletes what still names the pipeline.
    for (const name of ['keep', 'keep-rejected', 'keep-dlq']) expect(get('kafkatopic', name).metadata.ownerReferences ?? []).toEqual([]);
    expect(get('deployment', 'consumer-keep').metadata.ownerReferences[0].name).toBe('keep');
    // Created again, the pipeline adopts the topics it left.
    expect(apply(r).stderr).toBe('');
    const uid = await eventually(async () => get('documentpipeline', 'keep')?.metadata.uid, 'keep again');
    await eventually(async () => (get('kafkatopic', 'keep')?.metadata.ownerReferences?.[0]?.uid === uid ? true : undefined), 'the topic adopted');
  });

  it('with deletionPolicy Delete deletes its topics, says what became of the collections, and lets go', async () => {
    const r = manifest('orders.yaml');
    r.metadata.name = 'drop';
    r.spec.deletionPolicy = 'Delete';
    expect(apply(r).stderr).toBe('');
    await eventually(async () => (get('kafkatopic', 'drop-inbox') ? true : undefined), 'topics of drop');
    const uid = get('documentpipeline', 'drop').metadata.uid;
    cluster.must(['-n', NAMESPACE, 'delete', 'documentpipeline', 'drop', '--wait=false']);
    await deleted('drop');
    for (const name of ['drop', 'drop-rejected', 'drop-dlq', 'drop-inbox']) expect(get('kafkatopic', name)).toBeUndefined();
    const events = JSON.parse(cluster.must(['-n', NAMESPACE, 'get', 'events', '--field-selector', `involvedObject.uid=${uid}`, '-o', 'json'])).items;
    expect(events).toEqual([
      expect.objectContaining({ type: 'Warning', reason: 'CollectionsKept', message: expect.stringContaining('drop the collections drop and drop_rejected by hand') }),
    ]);
  });
});

describe('the operator', () => {
  it('serves its metrics and probes', async () => {
    const base = `http://127.0.0.1:${operator.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^operator_reconciles_total\{result="success"\} [1-9]/m);
    expect(metrics).toMatch(/^operator_reconcile_duration_seconds_count [1-9]/m);
    expect(metrics).toMatch(/^operator_queue_depth \d+/m);
    expect(metrics).toMatch(/^operator_reconcile_errors_total \d+/m);
    expect(metrics).toMatch(/^operator_leader 1/m);
  });

  it('may do no more than its Role allows: no Secrets, nothing cluster-wide', () => {
    const can = (namespace: string, verb: string, resource: string) =>
      cluster.kubectl(['auth', 'can-i', '--as', OPERATOR_USER, '-n', namespace, verb, resource]).stdout.trim();
    expect(can(NAMESPACE, 'patch', 'kafkatopics.kafka.strimzi.io')).toBe('yes');
    expect(can(NAMESPACE, 'get', 'secrets')).toBe('no');
    expect(can(NAMESPACE, 'create', 'pods')).toBe('no');
    expect(can(NAMESPACE, 'list', 'nodes')).toBe('no');
    expect(can(NAMESPACE, 'create', 'customresourcedefinitions.apiextensions.k8s.io')).toBe('no');
    expect(can('default', 'list', 'documentpipelines.docpipe.dev')).toBe('no');
  });
});
