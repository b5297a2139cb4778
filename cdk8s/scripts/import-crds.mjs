// Generates cdk8s/imports/ (gitignored) from the pinned CRDs, one module per API group, named
// after the group. Runs `cdk8s import` only when the CRDs or the CLI changed, so it is cheap to
// call before every build, synth and test.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crdsDir, loadCrds, usedKinds } from './crds.mjs';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(pkgDir, 'imports');
const require = createRequire(import.meta.url);
const cliPkg = require.resolve('cdk8s-cli/package.json');
const cli = join(dirname(cliPkg), 'bin', 'cdk8s');

const dir = crdsDir();
const crds = loadCrds(dir).filter(({ crd }) => usedKinds.includes(crd.spec.names.kind));
const missing = usedKinds.filter((k) => !crds.some(({ crd }) => crd.spec.names.kind === k));
if (missing.length > 0) throw new Error(`${dir} lacks the CRDs for: ${missing.join(', ')}`);

const hash = createHash('sha256');
hash.update(readFileSync(cliPkg));
for (const { crd } of crds) hash.update(JSON.stringify(crd));
const stamp = join(out, '.stamp');
const digest = hash.digest('hex');
const current = () => existsSync(stamp) && readFileSync(stamp, 'utf8') === digest;
if (current()) process.exit(0);

// Test files run in parallel and each asks for the imports: one process generates, the others
// wait for it (a lock directory), then find the stamp current.
const lock = `${out}.lock`;
for (let waited = 0; ; waited += 200) {
  try {
    mkdirSync(lock);
    break;
  } catch (e) {
    if (e.code !== 'EEXIST') throw e;
    if (waited > 300_000) throw new Error(`${lock} is held for over 5 minutes; remove it if no import is running`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
}
process.on('exit', () => rmSync(lock, { recursive: true, force: true }));
if (current()) process.exit(0);

const byGroup = Map.groupBy(crds, ({ crd }) => crd.spec.group);
const work = mkdtempSync(join(tmpdir(), 'docpipe-crds-'));
try {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const [group, list] of byGroup) {
    const file = join(work, `${group}.yaml`);
    writeFileSync(file, list.map(({ crd }) => JSON.stringify(crd)).join('\n---\n'));
    console.error(`cdk8s import ${group} (${list.map(({ crd }) => crd.spec.names.kind).join(', ')}) from ${dir}`);
    execFileSync(process.execPath, [cli, 'import', file, '--output', out, '--language', 'typescript', '--no-save', '--no-check-upgrade'], {
      cwd: pkgDir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  writeFileSync(stamp, digest);
} finally {
  rmSync(work, { recursive: true, force: true });
}
