// `make up` on a simulated cluster (scripts/apiserver/cluster-up.sh): kube-apiserver, etcd,
// kube-controller-manager and kube-scheduler of the pinned version, and kwok, which plays two
// fake nodes and every pod bound to them without a kubelet; no container runs, so the ingest and
// consumer images are never pulled. make up's steps run in make's order, its own waits included,
// and then the objects are checked together: workloads ready, Services with endpoints, every
// selector and scaling target finding what it names, each CronJob creating its Jobs.
//
// Two controllers stand in for what the simulation does not run. The Docpipe operator runs in
// this process (kwok fakes its pods), from its synthesized env and as its ServiceAccount. Strimzi
// does not run at all: the test writes what its operators would report, each Kafka, KafkaTopic
// and KafkaUser Ready (support/strimzi-stand-in.ts), which make up's wait for Kafka and the
// operator's catalog (it serves a pipeline once its topics and user are Ready) need. What Strimzi
// would create, the broker pods among them, does not exist: the selections of those pods are
// skipped by the explicit list below.
import './support/prepare.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningOperator } from '../../services/operator/src/operator.js';
import { environments } from '../src/config.js';
import { synthAll } from '../src/main.js';
import { SimulatedCluster } from './support/cluster.js';
import { makeUpSteps } from './support/make-up.js';
import { synthManifests } from './support/manifests.js';
import { startOperatorInProcess } from './support/operator-in-process.js';
import { checkEndpoints, checkRollouts, checkSelections, type ClusterObject, type Findings, type NotSimulated, type Snapshot } from './support/selections.js';
import { replayOnCluster } from './support/simulated-make-up.js';
import { standInForStrimzi, type StandIn } from './support/strimzi-stand-in.js';

const NAMESPACE = 'docpipe';
const RESOURCES = [
  'pods',
  'services',
  'endpointslices.discovery.k8s.io',
  'deployments.apps',
  'statefulsets.apps',
  'poddisruptionbudgets.policy',
  'networkpolicies.networking.k8s.io',
  'servicemonitors.monitoring.coreos.com',
  'podmonitors.monitoring.coreos.com',
  'scaledobjects.keda.sh',
  'horizontalpodautoscalers.autoscaling',
];

/** Pods that only Strimzi creates, from the Kafka resource; Strimzi does not run here. */
const STRIMZI_PODS: NotSimulated[] = [
  { labels: { 'strimzi.io/cluster': 'docpipe', 'strimzi.io/name': 'docpipe-kafka' }, why: "Strimzi's Kafka broker pods, which Strimzi creates and the simulation does not run" },
  { labels: { 'strimzi.io/cluster': 'docpipe', 'strimzi.io/kind': 'Kafka' }, why: "the pods of Strimzi's Kafka cluster, which Strimzi creates and the simulation does not run" },
  { labels: { 'strimzi.io/cluster': 'docpipe' }, why: "every pod of Strimzi's Kafka cluster, which Strimzi creates and the simulation does not run" },
  { labels: { 'strimzi.io/cluster': 'docpipe', 'strimzi.io/name': 'docpipe-entity-operator' }, why: "Strimzi's entity operator pod, which Strimzi creates and the simulation does not run" },
  { labels: { 'strimzi.io/cluster': 'docpipe', 'strimzi.io/name': 'docpipe-kafka-exporter' }, why: "Strimzi's Kafka exporter pod, which Strimzi creates and the simulation does not run" },
];

/** What the real CronJob controller must do for each CronJob, on a schedule short enough to wait for. */
const TEST_SCHEDULE = '* * * * *';
const CRON_TIMEOUT_MS = 90_000;

function report(title: string, findings: Findings): void {
  const checked = Object.entries(findings.checked).map(([kind, n]) => `${n} ${kind}`);
  console.log([`${title}: checked ${checked.join(', ')}`, ...findings.skipped.map((s) => `  skipped ${s}`), ...findings.problems.map((p) => `  PROBLEM ${p}`)].join('\n'));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('make up on a simulated cluster', () => {
  const manifests = synthManifests(environments.kind);
  // The manifests `npm run synth` would write into cdk8s/dist; the commands are pointed here.
  const dist = mkdtempSync(join(tmpdir(), 'docpipe-cluster-'));
  let cluster: SimulatedCluster;
  let strimzi: StandIn | undefined;
  let operator: RunningOperator | undefined;
  const snapshot = async (): Promise<Snapshot> => ({ namespace: NAMESPACE, objects: await cluster.objects(NAMESPACE, RESOURCES) });

  beforeAll(() => {
    synthAll(dist, '');
    cluster = SimulatedCluster.start('cluster-test');
    strimzi = standInForStrimzi(cluster.kubeConfig(), NAMESPACE);
  }, 180_000);

  afterAll(async () => {
    await operator?.stop();
    await strimzi?.stop();
    cluster?.stop();
    rmSync(dist, { recursive: true, force: true });
  });

  it("runs make up's steps in make's order, its own waits included, until each wait is satisfied", async () => {
    const replay = await replayOnCluster(cluster, makeUpSteps(['DOCPIPE_ENV=kind']), {
      dist,
      // Once make up has seen the operator's pods ready, the process they stand for starts.
      after: async (command) => {
        if (/^kubectl -n \S+ rollout status deployment\/operator /.test(command)) operator = await startOperatorInProcess(cluster, manifests);
      },
    });
    console.log(`make up's steps on the simulated cluster:\n${replay.ran.map((r) => `  ${r.seconds.toFixed(1).padStart(6)} s  ${r.command.slice(0, 140)}`).join('\n')}`);
    expect(replay.failed, replay.failed && `${replay.failed.command}\n${replay.failed.output}`).toBeUndefined();
    expect(operator, 'make up waits for the operator before it applies the pipelines').toBeDefined();
    expect(replay.ran.map((r) => r.command)).toContainEqual(expect.stringMatching(/wait documentpipelines --all --for=condition=Ready/));
  }, 600_000);

  // Before the selection checks: the pods of these Jobs are the only ones some policies select.
  it(`has each CronJob create a Job that completes, on a test schedule of "${TEST_SCHEDULE}"`, async () => {
    const cronJobs = manifests.filter((m) => m.kind === 'CronJob').map((m) => m.metadata.name!);
    expect(cronJobs.length).toBeGreaterThan(0);
    for (const name of cronJobs) {
      await cluster.must(['-n', NAMESPACE, 'patch', 'cronjob', name, '--type=merge', '-p', JSON.stringify({ spec: { schedule: TEST_SCHEDULE } })]);
    }
    const started = Date.now();
    const completed = async () => {
      const jobs: ClusterObject[] = JSON.parse(await cluster.must(['-n', NAMESPACE, 'get', 'jobs', '-o', 'json'])).items;
      return cronJobs.filter((name) =>
        jobs.some((j) => j.metadata.ownerReferences?.some((o: any) => o.kind === 'CronJob' && o.name === name) && j.status?.conditions?.some((c: any) => c.type === 'Complete' && c.status === 'True')),
      );
    };
    let done = await completed();
    while (done.length < cronJobs.length && Date.now() - started < CRON_TIMEOUT_MS) {
      await sleep(2_000);
      done = await completed();
    }
    console.log(`CronJobs with a completed Job ${((Date.now() - started) / 1000).toFixed(0)} s after the test schedule was applied: ${done.join(', ') || 'none'}`);
    expect(done.sort()).toEqual([...cronJobs].sort());
  }, CRON_TIMEOUT_MS + 30_000);

  it('has every Deployment and StatefulSet ready at its desired replicas, on the fake nodes', async () => {
    const state = await snapshot();
    const findings = checkRollouts(state);
    report('rollouts', findings);
    expect(findings.problems).toEqual([]);
    expect(findings.checked['Deployment']).toBeGreaterThan(0);
    expect(findings.checked['StatefulSet']).toBeGreaterThan(0);
    const nodes = JSON.parse(await cluster.must(['get', 'nodes', '-o', 'json'])).items.map((n: ClusterObject) => n.metadata.name);
    const elsewhere = state.objects.filter((o) => o.kind === 'Pod' && !nodes.includes(o.spec.nodeName)).map((p) => `${p.metadata.name} on ${p.spec.nodeName}`);
    expect(elsewhere).toEqual([]);
  });

  it('gives every Service ready endpoints, on each of its ports', async () => {
    const findings = checkEndpoints(await snapshot(), STRIMZI_PODS);
    report('Services', findings);
    expect(findings.problems).toEqual([]);
    expect(findings.checked['Service']).toBeGreaterThan(0);
  });

  it('has every PodDisruptionBudget, NetworkPolicy, ServiceMonitor, PodMonitor and scaler select or target something that exists', async () => {
    const findings = checkSelections(await snapshot(), STRIMZI_PODS);
    report('selections', findings);
    expect(findings.problems).toEqual([]);
    for (const kind of ['PodDisruptionBudget', 'NetworkPolicy podSelector', 'NetworkPolicy peer', 'ServiceMonitor', 'ScaledObject', 'HorizontalPodAutoscaler']) {
      expect(findings.checked[kind], kind).toBeGreaterThan(0);
    }
  });
});

describe('the checks of the simulated cluster (the checks can fail)', () => {
  const pod = (name: string, labels: Record<string, string>, ports: string[] = []): ClusterObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'main', ports: ports.map((p, i) => ({ name: p, containerPort: 8000 + i })) }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  });
  const objects: ClusterObject[] = [
    pod('api-1', { app: 'api' }, ['http']),
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', labels: { app: 'api' } }, spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'api-x1', labels: { 'kubernetes.io/service-name': 'api' } },
      endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }],
      ports: [{ name: 'http', port: 8000 }],
    },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', generation: 1 }, spec: { replicas: 1, selector: { matchLabels: { app: 'api' } } }, status: { observedGeneration: 1, readyReplicas: 1 } },
  ];
  const snapshot = (...more: ClusterObject[]): Snapshot => ({ namespace: 'ns', objects: [...objects, ...more] });

  it('find nothing wrong in a namespace whose objects find each other', () => {
    expect(checkRollouts(snapshot()).problems).toEqual([]);
    expect(checkEndpoints(snapshot(), []).problems).toEqual([]);
    expect(checkSelections(snapshot(), []).problems).toEqual([]);
  });

  it('report a Service whose selector matches no pod (a typo in a label)', () => {
    const broken: ClusterObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'wbe' }, ports: [{ name: 'http', port: 80 }] } };
    expect(checkEndpoints(snapshot(broken), []).problems).toEqual(['Service/web: no ready endpoint; its selector app=wbe matches no pod']);
  });

  it('report a Service port whose named targetPort no selected pod declares', () => {
    const service = objects.find((o) => o.kind === 'Service')!;
    const metrics = { ...service, spec: { ...service.spec, ports: [...service.spec.ports, { name: 'metrics', port: 9090, targetPort: 'metrics' }] } };
    expect(checkEndpoints({ namespace: 'ns', objects: objects.map((o) => (o === service ? metrics : o)) }, []).problems).toEqual([
      'Service/api port metrics: no endpoint serves it (targetPort metrics is no port of the selected pods)',
    ]);
  });

  it('report a Deployment short of its replicas, with what its pods are doing', () => {
    const pending = { ...pod('worker-1', { app: 'worker' }), status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', message: '0/2 nodes are available' }] } };
    const worker: ClusterObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'worker', generation: 1 }, spec: { replicas: 1, selector: { matchLabels: { app: 'worker' } } }, status: { observedGeneration: 1 } };
    expect(checkRollouts(snapshot(pending, worker)).problems).toEqual(['Deployment/worker: 0 of 1 replicas ready; pods: worker-1 Pending (PodScheduled: 0/2 nodes are available)']);
  });

  it('report a PodDisruptionBudget, a NetworkPolicy peer, a ServiceMonitor port and a ScaledObject that find nothing', () => {
    const findings = checkSelections(
      snapshot(
        { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db' }, spec: { selector: { matchLabels: { app: 'db' } } } },
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'api' },
          spec: { podSelector: { matchLabels: { app: 'api' } }, egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] },
        },
        { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'api' }, spec: { selector: { matchLabels: { app: 'api' } }, endpoints: [{ port: 'metrics' }] } },
        { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'worker' }, spec: { scaleTargetRef: { name: 'worker' } } },
      ),
      [],
    );
    expect(findings.problems).toEqual([
      'PodDisruptionBudget/db: selector app=db selects no pod',
      'NetworkPolicy/api egress to peer: selector app=db selects no pod',
      'ServiceMonitor/api: port metrics is no port of Service/api',
      'ScaledObject/worker: scaleTargetRef Deployment/worker does not exist',
    ]);
  });

  it("skip only the selections the list names as a third party's pods, saying why", () => {
    const policy: ClusterObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'api' },
      spec: { podSelector: { matchLabels: { app: 'api' } }, egress: [{ to: [{ podSelector: { matchLabels: { broker: 'yes' } } }, { podSelector: { matchLabels: { broker: 'yes', zone: 'a' } } }] }] },
    };
    const findings = checkSelections(snapshot(policy), [{ labels: { broker: 'yes' }, why: 'the broker pods of an operator not simulated' }]);
    expect(findings.skipped).toEqual(['NetworkPolicy/api egress to peer (broker=yes): the broker pods of an operator not simulated']);
    expect(findings.problems).toEqual(['NetworkPolicy/api egress to peer: selector broker=yes,zone=a selects no pod']);
  });
});
