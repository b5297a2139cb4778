// `make up`'s steps (make -n up: make's own order) against the simulated cluster. Unlike the
// replay against a bare API server (make-up.int.test.ts), make up's own waits for rollouts and
// conditions run too, since here controllers and kwok make them come true; their timeouts are
// shortened, so that a rollout that never completes fails in minutes. Each Helm chart is stood in
// for by its namespace and CRDs: the charts' own workloads are not simulated. kind, docker and the
// image builds need no cluster and are left out.
import { stringify } from 'yaml';
import { chartCrds } from './chart-crds.js';
import type { Run, SimulatedCluster } from './cluster.js';
import type { HelmInstall, Step } from './make-up.js';

const WAIT = /^kubectl -n \S+ (wait|rollout status) /;
const WAIT_TIMEOUT = '120s';

export interface ReplayOptions {
  /** The folder of the synthesized manifests, in place of cdk8s/dist. */
  readonly dist: string;
  /** Runs after each step that succeeded, with its command as make runs it. */
  readonly after?: (command: string) => Promise<void>;
}

export interface Replay {
  /** The commands run, with how long each took. */
  readonly ran: { readonly command: string; readonly seconds: number }[];
  readonly failed?: { readonly command: string; readonly output: string };
}

async function installChart(cluster: SimulatedCluster, helm: HelmInstall): Promise<Run> {
  if (helm.createNamespace) {
    const r = await cluster.sh(`kubectl get namespace ${helm.namespace} >/dev/null 2>&1 || kubectl create namespace ${helm.namespace}`);
    if (r.status !== 0) return r;
  }
  const crds = chartCrds(helm);
  if (crds.length === 0) return { status: 0, stdout: '', stderr: '' };
  const applied = await cluster.kubectl(['apply', '--server-side', '--field-manager=helm', '-f', '-'], crds.map((c) => stringify(c)).join('---\n'));
  if (applied.status !== 0) return applied;
  // Helm, too, waits for its CRDs. One just created may not be listed yet, and `kubectl wait`
  // then fails at once: retry.
  const names = crds.map((c) => `crd/${c.metadata.name}`).join(' ');
  return cluster.sh(`for i in $(seq 30); do kubectl wait --for=condition=Established --timeout=60s ${names} >/dev/null 2>&1 && exit 0; sleep 1; done; kubectl wait --for=condition=Established --timeout=1s ${names}`);
}

/** Runs the steps in order; the first that fails ends the replay with its command and output. */
export async function replayOnCluster(cluster: SimulatedCluster, steps: readonly Step[], options: ReplayOptions): Promise<Replay> {
  const ran: { command: string; seconds: number }[] = [];
  for (const step of steps) {
    const started = Date.now();
    let r: Run;
    if (step.kind === 'helm') r = await installChart(cluster, step.helm);
    else if (step.kind === 'run') r = await cluster.sh(step.command.replaceAll('cdk8s/dist/', `${options.dist}/`));
    else if (WAIT.test(step.command)) r = await cluster.sh(`${step.command.replace(/ --timeout=\S+/, '')} --timeout=${WAIT_TIMEOUT}`);
    else continue;
    ran.push({ command: step.command, seconds: (Date.now() - started) / 1000 });
    if (r.status !== 0) return { ran, failed: { command: step.command, output: r.stderr || r.stdout } };
    await options.after?.(step.command);
  }
  return { ran };
}
