// Replays `make up` (make -n up: make's own order) against a real kube-apiserver of the pinned
// version, with no nodes: the scripts and kubectl commands run as they are; each Helm install is
// stood in for by what matters to the order, the chart's CRDs and the objects it puts into
// namespaces (Strimzi's RoleBindings in every namespace it watches, Helm's release record in the
// release's); kind, docker and the waits for running pods need a real cluster and are left out.
// The namespace must exist before the first namespaced object of any chart, every object must
// apply, and a second `make up` must succeed as the first did.
import './support/prepare.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
// @ts-expect-error: plain ESM helper shared with `npm run import`.
import { crdsDir, loadCrds } from '../scripts/crds.mjs';
import { synthAll } from '../src/main.js';
import { makeUpSteps, repoRoot, type HelmInstall, type Step } from './support/make-up.js';

const cache = process.env.DOCPIPE_CACHE ?? join(repoRoot, '.cache');
// Its own server state, so that other API-server tests keep theirs.
const serverDir = join(process.env.DOCPIPE_LOCAL ?? join(repoRoot, '.local'), 'apiserver-make-up');
const baseEnv = { ...process.env, PATH: `${join(cache, 'bin')}:${process.env.PATH}`, DOCPIPE_APISERVER_DIR: serverDir, DOCPIPE_ENV: 'kind' };

let kubeconfig = '';
function sh(command: string, input?: string) {
  const r = spawnSync('bash', ['-c', command], { cwd: repoRoot, encoding: 'utf8', input, env: { ...baseEnv, KUBECONFIG: kubeconfig }, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
function freshServer() {
  spawnSync('bash', [join(repoRoot, 'scripts/apiserver/down.sh')], { env: baseEnv });
  const r = spawnSync('bash', [join(repoRoot, 'scripts/apiserver/up.sh')], { encoding: 'utf8', env: baseEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error('scripts/apiserver/up.sh failed');
  kubeconfig = r.stdout.trim().split('\n').pop()!;
}
// The manifests `npm run synth` would write into cdk8s/dist; the commands are pointed here.
const dist = mkdtempSync(join(tmpdir(), 'docpipe-make-up-'));
synthAll(dist, '');
afterAll(() => {
  spawnSync('bash', [join(repoRoot, 'scripts/apiserver/down.sh')], { env: baseEnv });
  rmSync(dist, { recursive: true, force: true });
});

/** API groups of the CRDs each chart installs (of those the charts are validated against). */
const chartCrdGroups: Record<string, string[]> = {
  'metrics-server': [],
  'strimzi-kafka-operator': ['kafka.strimzi.io', 'core.strimzi.io'],
  keda: ['keda.sh', 'eventing.keda.sh'],
  'kube-prometheus-stack': ['monitoring.coreos.com'],
};

/** The chart's objects that the order depends on, as one YAML stream, and its CRDs' names. */
function standIn(helm: HelmInstall): { yaml: string; crds: string[] } {
  const chart = basename(helm.chart);
  const groups = chartCrdGroups[chart];
  if (!groups) throw new Error(`no stand-in for chart ${helm.chart}: add it to make-up.int.test.ts`);
  const crds = (loadCrds(crdsDir()) as { crd: any }[]).filter(({ crd }) => groups.includes(crd.spec.group)).map(({ crd }) => crd);
  const objects: object[] = [
    ...crds,
    // Helm records the release in its namespace before it creates anything else.
    { apiVersion: 'v1', kind: 'Secret', type: 'helm.sh/release.v1', metadata: { name: `sh.helm.release.v1.${helm.release}.v1`, namespace: helm.namespace } },
  ];
  if (chart === 'strimzi-kafka-operator') {
    // templates/020, 023 and 031 of the chart: one RoleBinding each per watched namespace.
    const values = parse(readFileSync(join(repoRoot, helm.valuesFile!), 'utf8')) as { watchNamespaces?: string[] };
    for (const namespace of new Set([...(values.watchNamespaces ?? []), helm.namespace])) {
      for (const [name, role] of [
        ['strimzi-cluster-operator', 'strimzi-cluster-operator-namespaced'],
        ['strimzi-cluster-operator-watched', 'strimzi-cluster-operator-watched'],
        ['strimzi-cluster-operator-entity-operator-delegation', 'strimzi-entity-operator'],
      ]) {
        objects.push({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name, namespace },
          subjects: [{ kind: 'ServiceAccount', name: 'strimzi-cluster-operator', namespace: helm.namespace }],
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        });
      }
    }
  }
  return { yaml: objects.map((o) => stringify(o)).join('---\n'), crds: crds.map((crd) => crd.metadata.name) };
}

/** Runs the steps in order; the first that fails ends the replay with its command and output. */
function replay(steps: Step[]): { failed?: { command: string; output: string }; ran: number } {
  let ran = 0;
  for (const step of steps) {
    if (step.kind === 'offline') continue;
    let r;
    if (step.kind === 'helm') {
      const { namespace, createNamespace } = step.helm;
      if (createNamespace) sh(`kubectl get namespace ${namespace} >/dev/null 2>&1 || kubectl create namespace ${namespace}`);
      const { yaml, crds } = standIn(step.helm);
      r = sh('kubectl apply --server-side --field-manager=helm -f -', yaml);
      // Helm, too, waits for its CRDs before it goes on. A CRD just created may not be listed yet,
      // and `kubectl wait` then fails at once: retry.
      for (const crd of r.status === 0 ? crds : []) {
        r = sh(`for i in $(seq 30); do kubectl wait --for=condition=Established --timeout=60s crd/${crd} >/dev/null 2>&1 && exit 0; sleep 1; done; exit 1`);
        if (r.status !== 0) break;
      }
    } else {
      r = sh(step.command.replaceAll('cdk8s/dist/', `${dist}/`));
    }
    ran++;
    if (r.status !== 0) return { failed: { command: step.command, output: r.stderr || r.stdout }, ran };
  }
  return { ran };
}

describe("make up's steps on kube-apiserver", () => {
  const steps = makeUpSteps(['DOCPIPE_ENV=kind']);

  it('create the namespace, with its Pod Security labels, before any chart needs it; every object applies, twice', () => {
    freshServer();
    const first = replay(steps);
    expect(first.failed).toBeUndefined();
    expect(first.ran).toBeGreaterThan(steps.filter((s) => s.kind === 'helm').length);
    const labels = JSON.parse(sh('kubectl get namespace docpipe -o json').stdout).metadata.labels;
    expect(labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect(sh('kubectl -n docpipe get rolebinding strimzi-cluster-operator -o name').stdout.trim()).toBe('rolebinding.rbac.authorization.k8s.io/strimzi-cluster-operator');
    expect(sh('kubectl -n docpipe get deployment ingest -o name').stdout.trim()).toBe('deployment.apps/ingest');
    // make up is idempotent: Secrets kept, the namespace and every object re-applied unchanged.
    const secrets = sh('kubectl -n docpipe get secret postgres postgres-app -o jsonpath={.items[*].data.password}').stdout;
    expect(replay(steps).failed).toBeUndefined();
    expect(sh('kubectl -n docpipe get secret postgres postgres-app -o jsonpath={.items[*].data.password}').stdout).toBe(secrets);
  }, 1_800_000);

  it('fail when a chart comes before the namespace (the check can fail)', () => {
    freshServer();
    const namespaceStep = steps.find((s) => s.kind === 'run' && /namespace\.sh/.test(s.command))!;
    const late = [...steps.filter((s) => s !== namespaceStep), namespaceStep];
    const { failed } = replay(late);
    expect(failed?.command).toMatch(/^helm upgrade --install strimzi /);
    expect(failed?.output).toMatch(/namespaces "docpipe" not found/);
  }, 1_800_000);
});
