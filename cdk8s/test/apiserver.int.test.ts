// Applies the synthesized manifests to a real kube-apiserver of the pinned version (etcd +
// kube-apiserver started by scripts/apiserver/up.sh, no nodes): server-side dry run first, then
// for real. Every object must be accepted, with no admission warnings (Pod Security included).
import './support/prepare.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM helper shared with `npm run import`.
import { crdsDir, loadCrds, usedKinds } from '../scripts/crds.mjs';
import { synthAll } from '../src/main.js';
import { envNames } from './support/manifests.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cache = process.env.DOCPIPE_CACHE ?? join(root, '.cache');
const kubectlBin = join(cache, 'bin', 'kubectl');
const env = { ...process.env, PATH: `${join(cache, 'bin')}:${process.env.PATH}` };

function run(cmd: string, args: string[], extraEnv: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...env, ...extraEnv }, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

let kubeconfig = '';
function up() {
  run('bash', [join(root, 'scripts/apiserver/down.sh')]);
  // First run builds kube-apiserver (about 13 minutes on 2 cores); later runs reuse the cache.
  const r = spawnSync('bash', [join(root, 'scripts/apiserver/up.sh')], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error('scripts/apiserver/up.sh failed');
  kubeconfig = r.stdout.trim().split('\n').pop()!;
}
const kubectl = (...args: string[]) => run(kubectlBin, args, { KUBECONFIG: kubeconfig });

/** `kubectl apply` prints "<resource>/<name> <verdict>" per object; group them by resource. */
function verdicts(stdout: string): Map<string, string[]> {
  const byKind = new Map<string, string[]>();
  for (const line of stdout.split('\n').filter(Boolean)) {
    const [object = '', ...verdict] = line.split(' ');
    const kind = object.split('/')[0]!;
    byKind.set(kind, [...(byKind.get(kind) ?? []), `${object.split('/')[1]}: ${verdict.join(' ')}`]);
  }
  return byKind;
}

const out = mkdtempSync(join(tmpdir(), 'docpipe-dist-'));
synthAll(out);

afterAll(() => {
  run('bash', [join(root, 'scripts/apiserver/down.sh')]);
});

describe.each(envNames)('the %s manifests on kube-apiserver', (name) => {
  const dir = join(out, name);
  const files = readdirSync(dir).sort().map((f) => join(dir, f));
  const objects = files.length;

  it('are accepted by a server-side dry run, then applied for real', () => {
    // A fresh server per environment: both use the same names, and some fields (StatefulSet
    // volumeClaimTemplates) cannot change in place.
    up();
    const used = (loadCrds(crdsDir()) as { file: string; crd: any }[]).filter(({ crd }) => usedKinds.includes(crd.spec.names.kind));
    const crds = kubectl('apply', '--server-side', ...[...new Set(used.map((c) => c.file))].flatMap((f) => ['-f', f]));
    expect(crds.stderr).toBe('');
    // A CRD just created may not be listed yet, and `kubectl wait` then fails at once: retry.
    for (const { crd } of used) {
      let waited = kubectl('wait', '--for=condition=Established', '--timeout=60s', `crd/${crd.metadata.name}`);
      for (let i = 0; waited.status !== 0 && i < 30; i++) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
        waited = kubectl('wait', '--for=condition=Established', '--timeout=60s', `crd/${crd.metadata.name}`);
      }
      expect(waited.stderr).toBe('');
    }
    // The namespace must exist before a dry run of the objects in it can be judged.
    const ns = kubectl('apply', '--server-side', '-f', files[0]!);
    expect(ns.stderr).toBe('');

    for (const mode of ['--dry-run=server', '--dry-run=none']) {
      const r = kubectl('apply', '--server-side', '--field-manager=docpipe-check', mode, ...files.flatMap((f) => ['-f', f]));
      console.log(`\n${name}, kubectl apply ${mode}:`);
      for (const [kind, list] of verdicts(r.stdout)) console.log(`  ${kind}: ${list.length} accepted (${list.join(', ')})`);
      if (r.stderr) console.log(r.stderr);
      expect(r.stderr, 'errors or admission warnings').toBe('');
      expect(r.status).toBe(0);
      expect(objects).toBeGreaterThan(0);
    }
    const stored = kubectl('get', '-n', 'docpipe', 'deploy,sts,cronjob,job,svc,hpa,pdb,netpol,cm,kafka,kafkanodepool,kafkatopic,kafkauser,scaledobject,triggerauthentication,servicemonitor,podmonitor,prometheusrule', '-o', 'name');
    expect(stored.status).toBe(0);
    expect(stored.stdout).toContain('deployment.apps/ingest');
    expect(stored.stdout).toContain('kafka.kafka.strimzi.io/docpipe');
    expect(stored.stdout).toContain('deployment.apps/operator');
    // Each pipeline's topics, consumer and scaling are the operator's (services/operator/test).
    expect(stored.stdout).not.toMatch(/kafkatopic|kafkauser|scaledobject/);
  }, 1_800_000);

  it('are rejected when they carry an unknown field (the check can fail)', () => {
    const bad = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: bad, namespace: docpipe }\ndata: { a: b }\nbogus: true\n`;
    const r = spawnSync(kubectlBin, ['apply', '--server-side', '--dry-run=server', '-f', '-'], { input: bad, encoding: 'utf8', env: { ...env, KUBECONFIG: kubeconfig } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/\.bogus: field not declared in schema/);
  });
});
