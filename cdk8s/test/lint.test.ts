// kube-score over the synthesized manifests, configured by .kube-score.yaml.
import './support/prepare.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthAll } from '../src/main.js';
import { envNames } from './support/manifests.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(process.env.DOCPIPE_CACHE ?? join(root, '.cache'), 'bin', 'kube-score');
const config = parse(readFileSync(fileURLToPath(new URL('../.kube-score.yaml', import.meta.url)), 'utf8')) as {
  kubernetesVersion: string;
  enable: string[];
  ignore: { test: string; reason: string }[];
  failOnWarning: Record<string, boolean>;
};

beforeAll(() => {
  execFileSync('bash', [join(root, 'scripts/install/kube-score.sh')], { stdio: 'inherit' });
}, 600_000);

function kubeScore(files: string[]) {
  const flags = [
    '--output-format', 'ci',
    '--kubernetes-version', config.kubernetesVersion,
    ...config.enable.flatMap((t) => ['--enable-optional-test', t]),
    ...config.ignore.flatMap((i) => ['--ignore-test', i.test]),
  ];
  const r = spawnSync(bin, ['score', ...flags, ...files], { encoding: 'utf8' });
  const lines = r.stdout.split('\n');
  return { critical: lines.filter((l) => l.startsWith('[CRITICAL]')), warning: lines.filter((l) => l.startsWith('[WARNING]')), status: r.status };
}

const out = mkdtempSync(join(tmpdir(), 'docpipe-lint-'));
synthAll(out);

describe('kube-score', () => {
  it('has a written reason for every disabled check', () => {
    for (const i of config.ignore) expect(i.reason?.length ?? 0, i.test).toBeGreaterThan(30);
  });

  it.each(envNames)('finds nothing critical in %s (and no warning where that environment forbids them)', (name) => {
    const dir = join(out, name);
    const result = kubeScore(readdirSync(dir).map((f) => join(dir, f)));
    console.log(`${name}: ${result.critical.length} critical, ${result.warning.length} warnings${result.warning.map((w) => `\n  ${w}`).join('')}`);
    expect(result.critical).toEqual([]);
    if (config.failOnWarning[name]) expect(result.warning).toEqual([]);
  });

  it('reports an unpinned image and a missing probe as critical', () => {
    const bad = join(out, 'bad.yaml');
    writeFileSync(
      bad,
      readFileSync(join(out, 'kind', '30-ingest.k8s.yaml'), 'utf8').replace('image: docpipe/ingest:dev', 'image: docpipe/ingest:latest').replace(/ {10}readinessProbe:\n(?: {12}.*\n)+/, ''),
    );
    const result = kubeScore([bad]);
    expect(result.critical.join('\n')).toMatch(/Image with latest tag/);
    expect(result.critical.join('\n')).toMatch(/missing a readinessProbe/);
  });
});
