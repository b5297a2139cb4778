import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIPELINES_DIR, specText } from './fixtures.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** The CLI as a user runs it: the build output (make test builds first). */
async function check(...paths: string[]): Promise<{ code: number; stdout: string }> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build`);
  try {
    const { stdout } = await run(process.execPath, [CLI, 'check', ...paths]);
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe('docpipe-pipeline check', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'docpipe-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("passes the repository's pipelines", async () => {
    const { code, stdout } = await check(PIPELINES_DIR);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ok {7}.*invoices\.yaml: invoices@[0-9a-f]{12} \(2 valid and 4 invalid examples behave as declared\)$/m);
    expect(stdout).toMatch(/^ok {7}.*orders\.yaml: orders@/m);
  });

  it('exits 1 with the live loader’s message for a spec whose examples fail, and for a collision', async () => {
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, specText('orders').replace('quantity: 10, unitPrice: 0.45', 'quantity: 0, unitPrice: 0.45'));
    const twin = join(dir, 'twin.yaml');
    await writeFile(twin, specText('invoices'));
    const { code, stdout } = await check(broken, twin, join(PIPELINES_DIR, 'invoices.yaml'));
    expect(code).toBe(1);
    expect(stdout).toContain(`refused  ${broken}: spec.examples.valid[1] is refused: lines[0].quantity must be >= 1`);
    expect(stdout).toMatch(/refused {2}.*invoices\.yaml: pipeline invoices is already used by .*twin\.yaml/);
  });
});
