// `make up`'s steps in make's own order (`make -n up`: the recipes as make would run them), each
// read as what it does to the cluster, so that a test can replay them against an API server.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** A `helm upgrade --install`: what a replay needs to stand in for the chart. */
export interface HelmInstall {
  readonly release: string;
  readonly chart: string;
  readonly namespace: string;
  readonly createNamespace: boolean;
  readonly valuesFile?: string;
}

export type Step =
  | { readonly kind: 'helm'; readonly command: string; readonly helm: HelmInstall }
  /** Changes the cluster: a replay runs it as it is. */
  | { readonly kind: 'run'; readonly command: string }
  /** Needs no API server (tool checks, kind, docker, synth) or a running node (waits). */
  | { readonly kind: 'offline'; readonly command: string };

/** The shell commands of `make -n <target>`, a command continued over lines joined into one. */
export function makeDryRun(target: string, args: readonly string[] = []): string[] {
  const printed = execFileSync('make', ['-n', '--no-print-directory', target, ...args], { cwd: repoRoot, encoding: 'utf8' });
  return printed
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

const OFFLINE = [
  /^command -v \S+ /,
  /^kind get clusters .*\|\| kind create cluster /,
  /^kubectl config use-context /,
  /^\[ -d .*\|\| make crds$/,
  /^bash scripts\/(install\/node|k8s\/crds)\.sh$/,
  /^npm (ci|run synth)\b/,
  /^touch node_modules\//,
  /^for part in .* docker build /,
  /^if kind get clusters .* kind load docker-image /,
  /^kubectl -n \S+ (wait|rollout status) /,
  /^echo /,
];
const RUN = [/^bash scripts\/k8s\/(namespace|secrets)\.sh\b/, /^kubectl (-n \S+ )?(apply|delete) /];

function helmInstall(command: string): HelmInstall {
  const words = command.split(/\s+/);
  const [, upgrade, install, release, chart] = words;
  if (upgrade !== 'upgrade' || install !== '--install' || !release || !chart) throw new Error(`not a helm upgrade --install: ${command}`);
  const after = (flag: string) => {
    const i = words.indexOf(flag);
    return i >= 0 ? words[i + 1] : undefined;
  };
  const namespace = after('-n') ?? after('--namespace');
  if (!namespace) throw new Error(`helm installs into the current context's namespace: ${command}`);
  const valuesFile = after('-f') ?? after('--values');
  return { release, chart, namespace, createNamespace: words.includes('--create-namespace'), ...(valuesFile ? { valuesFile } : {}) };
}

/** What one command of the recipe does; a command it cannot place is an error, not a skip. */
export function classify(command: string): Step {
  if (command.startsWith('helm ')) return { kind: 'helm', command, helm: helmInstall(command) };
  if (RUN.some((r) => r.test(command))) return { kind: 'run', command };
  if (OFFLINE.some((r) => r.test(command))) return { kind: 'offline', command };
  throw new Error(`make up runs a step the replay does not know; place it in cdk8s/test/support/make-up.ts: ${command}`);
}

export function makeUpSteps(args: readonly string[] = []): Step[] {
  return makeDryRun('up', args).map(classify);
}
