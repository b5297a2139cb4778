// The simulated cluster of scripts/apiserver/cluster-up.sh (kube-apiserver, etcd,
// kube-controller-manager, kube-scheduler, kwok's fake nodes) in a state folder of the caller's,
// and asynchronous kubectl and shell commands against it: the tests run controllers in this
// process too (the Docpipe operator, a stand-in for Strimzi), which a blocking call would stall.
import { KubeConfig } from '@kubernetes/client-node';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { repoRoot } from './make-up.js';
import type { ClusterObject } from './selections.js';

const bin = join(process.env.DOCPIPE_CACHE ?? join(repoRoot, '.cache'), 'bin');
const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };

/** The binaries cluster-up.sh runs, and the script that builds each (scripts/test.sh runs them). */
const BINARIES: Record<string, string> = {
  'kube-apiserver': 'scripts/install/kube-apiserver.sh',
  kubectl: 'scripts/install/kube-apiserver.sh',
  'kube-controller-manager': 'scripts/install/kube-controllers.sh',
  'kube-scheduler': 'scripts/install/kube-controllers.sh',
  kwok: 'scripts/install/kwok.sh',
};

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], extraEnv: Record<string, string>, input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, env: { ...env, ...extraEnv }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

export class SimulatedCluster {
  private constructor(
    private readonly dir: string,
    readonly kubeconfig: string,
  ) {}

  /**
   * A fresh cluster in .local/<name>. Fails, naming the script to run, when a binary is missing:
   * building them belongs to scripts/test.sh, not to a test's timeout.
   */
  static start(name: string): SimulatedCluster {
    const missing = Object.keys(BINARIES).filter((b) => !existsSync(join(bin, b)));
    if (missing.length > 0) {
      const scripts = [...new Set(missing.map((b) => BINARIES[b]!))].map((s) => `bash ${s}`).join(' && ');
      throw new Error(`the simulated cluster needs ${missing.join(', ')} in ${bin}, which are not built: run ${scripts} (scripts/test.sh builds them before the tests)`);
    }
    const dir = join(process.env.DOCPIPE_LOCAL ?? join(repoRoot, '.local'), name);
    const scriptEnv = { ...env, DOCPIPE_APISERVER_DIR: dir };
    spawnSync('bash', [join(repoRoot, 'scripts/apiserver/cluster-down.sh')], { env: scriptEnv });
    const r = spawnSync('bash', [join(repoRoot, 'scripts/apiserver/cluster-up.sh')], { encoding: 'utf8', env: scriptEnv, stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) throw new Error(`scripts/apiserver/cluster-up.sh failed (logs in ${dir})`);
    return new SimulatedCluster(dir, r.stdout.trim().split('\n').pop()!);
  }

  stop(): void {
    spawnSync('bash', [join(repoRoot, 'scripts/apiserver/cluster-down.sh')], { env: { ...env, DOCPIPE_APISERVER_DIR: this.dir } });
  }

  /** A bash command in the repository, with this cluster as kubectl's. */
  sh(command: string, extraEnv: Record<string, string> = {}): Promise<Run> {
    return run('bash', ['-c', command], { KUBECONFIG: this.kubeconfig, ...extraEnv });
  }

  kubectl(args: readonly string[], input?: string): Promise<Run> {
    return run(join(bin, 'kubectl'), args, { KUBECONFIG: this.kubeconfig }, input);
  }

  /** kubectl that must succeed: its stdout. */
  async must(args: readonly string[], input?: string): Promise<string> {
    const r = await this.kubectl(args, input);
    if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  /** The objects of these resources in a namespace, each with its kind. */
  async objects(namespace: string, resources: readonly string[]): Promise<ClusterObject[]> {
    return JSON.parse(await this.must(['-n', namespace, 'get', resources.join(','), '-o', 'json'])).items;
  }

  /** A client config for this cluster; with `as`, one that acts as that user (RBAC applies). */
  kubeConfig(as?: string): KubeConfig {
    let file = this.kubeconfig;
    if (as) {
      const config = parse(readFileSync(this.kubeconfig, 'utf8'));
      config.users[0].user.as = as;
      file = join(this.dir, `${as.replaceAll(':', '-')}.kubeconfig`);
      writeFileSync(file, stringify(config));
    }
    const config = new KubeConfig();
    config.loadFromFile(file);
    return config;
  }
}
