// An envtest-style cluster for the operator's integration tests: etcd and a real kube-apiserver
// of the pinned version (scripts/apiserver/up.sh) in a folder of this file's own, with the CRDs
// the children need. No controllers run: where readiness comes from Strimzi, a test sets it.
// The cdk8s constructs this file uses need the generated CRD types first.
import '../../../../cdk8s/test/support/prepare.js';
import { KubeConfig, PatchStrategy, setHeaderOptions, type KubernetesObject } from '@kubernetes/client-node';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Chart } from 'cdk8s';
import { parse, stringify } from 'yaml';
// @ts-expect-error: plain ESM helper shared with `npm run import`.
import { crdsDir, loadCrds } from '../../../../cdk8s/scripts/crds.mjs';
import { environments } from '../../../../cdk8s/src/config.js';
import { DocpipeNamespace } from '../../../../cdk8s/src/constructs/namespace.js';
import { Operator } from '../../../../cdk8s/src/constructs/operator.js';
import { PipelineCrd } from '../../../../cdk8s/src/constructs/pipeline-crd.js';
import { CHILD_KINDS } from '../../src/children/kinds.js';
import { Kube, type ChildObject } from '../../src/kube.js';

export const root = fileURLToPath(new URL('../../../..', import.meta.url));
const bin = join(process.env.DOCPIPE_CACHE ?? join(root, '.cache'), 'bin');
const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };

export const NAMESPACE = 'docpipe';
/** The operator's service account, which the tests impersonate: its RBAC is the synthesized Role. */
export const OPERATOR_USER = `system:serviceaccount:${NAMESPACE}:docpipe-operator`;

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export class TestCluster {
  readonly kubeconfig: string;
  /** A kubeconfig that acts as the operator's service account. */
  readonly operatorKubeconfig: string;
  /** An admin client, for what a person or another controller does. */
  readonly kube: Kube;

  private constructor(
    private readonly dir: string,
    kubeconfig: string,
  ) {
    this.kubeconfig = kubeconfig;
    const config = parse(readFileSync(kubeconfig, 'utf8'));
    config.users[0].user.as = OPERATOR_USER;
    this.operatorKubeconfig = join(dir, 'operator.kubeconfig');
    writeFileSync(this.operatorKubeconfig, stringify(config));
    this.kube = new Kube(kubeConfigFrom(kubeconfig));
  }

  /** Starts etcd and kube-apiserver in .local/apiserver-<name>, and installs what the operator needs. */
  static start(name: string): TestCluster {
    const dir = join(root, '.local', `apiserver-${name}`);
    const scriptEnv = { ...env, DOCPIPE_APISERVER_DIR: dir };
    spawnSync('bash', [join(root, 'scripts/apiserver/down.sh')], { env: scriptEnv });
    const r = spawnSync('bash', [join(root, 'scripts/apiserver/up.sh')], { encoding: 'utf8', env: scriptEnv, stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) throw new Error('scripts/apiserver/up.sh failed');
    const cluster = new TestCluster(dir, r.stdout.trim().split('\n').pop()!);
    cluster.install();
    return cluster;
  }

  stop(): void {
    spawnSync('bash', [join(root, 'scripts/apiserver/down.sh')], { env: { ...env, DOCPIPE_APISERVER_DIR: this.dir } });
  }

  kubectl(args: string[], input?: string): Run {
    const r = spawnSync(join(bin, 'kubectl'), args, { input, encoding: 'utf8', env: { ...env, KUBECONFIG: this.kubeconfig } });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** kubectl that must succeed. */
  must(args: string[], input?: string): string {
    const r = this.kubectl(args, input);
    if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  /** The pinned CRDs of every child kind, the DocumentPipeline CRD, the namespace and the operator's RBAC. */
  private install(): void {
    const kinds = new Set(CHILD_KINDS.map((k) => k.kind));
    const used = (loadCrds(crdsDir()) as { file: string; crd: any }[]).filter(({ crd }) => kinds.has(crd.spec.names.kind));
    const chart = new Chart(new App(), 'crds');
    new PipelineCrd(chart, 'DocumentPipeline');
    const crds = [...used.map(({ crd }) => crd), ...chart.toJson()];
    this.must(['apply', '--server-side', '-f', '-'], crds.map((c) => stringify(c)).join('---\n'));
    for (const crd of crds) {
      // A CRD just created may not be listed yet, and `kubectl wait` then fails at once: retry.
      let r = this.kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/${crd.metadata.name}`]);
      for (let i = 0; r.status !== 0 && i < 30; i++) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
        r = this.kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/${crd.metadata.name}`]);
      }
      if (r.status !== 0) throw new Error(`CRD ${crd.metadata.name} not Established: ${r.stderr}`);
    }
    // The namespace (Pod Security restricted) and the operator's own ServiceAccount, Role and
    // RoleBinding, as make synth writes them.
    const app = new App();
    new DocpipeNamespace(new Chart(app, 'namespace'), 'Namespace', { name: NAMESPACE });
    new Operator(new Chart(app, 'operator', { namespace: NAMESPACE }), 'Operator', { env: environments.kind, variables: [], observes: [] });
    const objects = app.charts.flatMap((c) => c.toJson() as KubernetesObject[]).filter((o) => ['Namespace', 'ServiceAccount', 'Role', 'RoleBinding'].includes(o.kind!));
    this.must(['apply', '--server-side', '-f', '-'], objects.map((o) => stringify(o)).join('---\n'));
  }

  /** The children of a pipeline, by `Kind/name`. */
  async children(pipeline: string): Promise<Map<string, ChildObject>> {
    const all = await Promise.all(CHILD_KINDS.map((k) => this.kube.list(k.apiVersion, k.kind, NAMESPACE, `docpipe.dev/pipeline=${pipeline}`)));
    return new Map(all.flat().map((o) => [`${o.kind}/${o.metadata?.name}`, o]));
  }

  /** What Strimzi's operators would report: every KafkaTopic and KafkaUser of the pipeline Ready. */
  async markKafkaReady(pipeline: string): Promise<void> {
    const children = await this.children(pipeline);
    for (const o of children.values()) {
      if (o.kind !== 'KafkaTopic' && o.kind !== 'KafkaUser') continue;
      await this.kube.custom.patchNamespacedCustomObjectStatus(
        {
          group: 'kafka.strimzi.io',
          version: 'v1',
          namespace: NAMESPACE,
          plural: o.kind === 'KafkaTopic' ? 'kafkatopics' : 'kafkausers',
          name: o.metadata!.name!,
          body: {
            status: {
              observedGeneration: o.metadata!.generation,
              conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }],
            },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    }
  }
}

export function kubeConfigFrom(file: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(file);
  return config;
}

/** Polls `check` until it returns a value (not undefined), or fails with the last error. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
