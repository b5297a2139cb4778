// `make synth` as make runs it: the environment its recipes get (exports of the Makefile and
// mk/*.mk, nothing from this shell), and cdk8s.yaml's app command. Production must come out with
// its release tag, kind with the tag `make images` builds.
import './support/prepare.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { podSpec, type Manifest } from './support/manifests.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cdk8s = join(root, 'cdk8s');
const out = mkdtempSync(join(tmpdir(), 'docpipe-make-synth-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The environment make gives recipes, starting from this one without any image tag of its own. */
function recipeEnv(...makeArgs: string[]): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/IMAGE_TAG$/.test(k)));
  const printed = execFileSync('make', ['-s', '--no-print-directory', '--eval=docpipe-recipe-env: ; @env -0', 'docpipe-recipe-env', ...makeArgs], {
    cwd: root,
    env: inherited,
    encoding: 'utf8',
  });
  return Object.fromEntries(
    printed
      .split('\0')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** Synthesizes as `npm run synth` does, into `dir`, and returns each environment's docpipe images. */
function synthImages(env: NodeJS.ProcessEnv, dir: string): Record<string, string[]> {
  const [command, ...args] = (parse(readFileSync(join(cdk8s, 'cdk8s.yaml'), 'utf8')).app as string).split(' ');
  execFileSync(command!, args, { cwd: cdk8s, env: { ...env, CDK8S_OUTDIR: dir }, stdio: 'pipe' });
  const images = (name: string) =>
    readdirSync(join(dir, name))
      .flatMap((f) => parseAllDocuments(readFileSync(join(dir, name, f), 'utf8')).map((d) => d.toJS() as Manifest))
      .flatMap((m) => [...(podSpec(m)?.initContainers ?? []), ...(podSpec(m)?.containers ?? [])])
      .map((c: { image: string }) => c.image)
      .filter((image) => image.startsWith('docpipe/'));
  return { kind: images('kind'), production: images('production') };
}

const release = /^docpipe\/[a-z-]+:\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/;

describe('make synth', () => {
  it('stamps production with its release tag and kind with the development one', () => {
    const images = synthImages(recipeEnv(), join(out, 'default'));
    expect(images.production.length).toBeGreaterThan(0);
    expect(images.production.filter((image) => !release.test(image))).toEqual([]);
    expect(images.kind.filter((image) => !image.endsWith(':dev'))).toEqual([]);
  }, 60_000);

  it('gives IMAGE_TAG to kind alone', () => {
    const images = synthImages(recipeEnv('IMAGE_TAG=feature-x'), join(out, 'tagged'));
    expect(images.production.filter((image) => !release.test(image))).toEqual([]);
    expect(images.kind.filter((image) => !image.endsWith(':feature-x'))).toEqual([]);
  }, 60_000);
});
