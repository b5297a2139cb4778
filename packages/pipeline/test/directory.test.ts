import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '@docpipe/testing';
import { watchPipelineDirectory, type PipelineDirectory } from '../src/registry/directory.js';
import { PipelineRegistry } from '../src/registry/registry.js';
import { specText } from './fixtures.js';

const errors: string[] = [];
const log = { info: () => undefined, error: (_fields: object, message: string) => void errors.push(message) };

describe('a watched folder of pipelines', () => {
  let dir: string;
  let registry: PipelineRegistry;
  let directory: PipelineDirectory;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'docpipe-pipelines-'));
    errors.length = 0;
    registry = new PipelineRegistry();
    await writeFile(join(dir, 'invoices.yaml'), specText('invoices'));
    directory = await watchPipelineDirectory(dir, registry, { log, settleMs: 20, resyncMs: 60_000 });
  });

  afterEach(async () => {
    directory.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves what it holds at start', () => {
    expect(registry.list().map((p) => p.name)).toEqual(['invoices']);
  });

  it('serves a file added later, without being asked', async () => {
    await writeFile(join(dir, 'orders.yaml'), specText('orders'));
    await waitFor('orders to be served', async () => registry.get('orders') !== undefined, 5_000, 20);
    expect(registry.byTopic('orders.inbox')).toMatchObject({ role: 'inbox', pipeline: { name: 'orders' } });
  });

  it('switches to a changed file and keeps the replaced generation for records in flight', async () => {
    const before = registry.get('invoices');
    const changes: string[] = [];
    registry.onChange(({ changed }) => changes.push(...changed.map((p) => p.revision)));
    await writeFile(join(dir, 'invoices.yaml'), specText('invoices').replace('maxLength: 200', 'maxLength: 150'));
    await waitFor('the new generation', async () => registry.get('invoices')?.revision !== before?.revision, 5_000, 20);
    const after = registry.get('invoices');
    expect(changes).toEqual([after?.revision]);
    expect(registry.generation('invoices', before?.revision ?? '')).toBe(before);
    expect(after?.validate({ Description: 'x'.repeat(160) }).ok).toBe(false);
  });

  it('refuses a broken file with its name and the problem, and keeps serving the old generation', async () => {
    const before = registry.get('invoices');
    await writeFile(join(dir, 'invoices.yaml'), specText('invoices').replace('round(doc.Quantity * doc.UnitPrice, 2)', 'round(doc.Quantity *'));
    const refused = await directory.sync();
    expect(refused.map((e) => e.message)).toEqual([expect.stringMatching(new RegExp(`^${dir}/invoices\\.yaml: spec\\.transform\\.fields\\.total: `))]);
    expect(errors).toEqual([expect.stringContaining('pipeline refused: ')]);
    expect(registry.get('invoices')).toBe(before);
  });

  it('removes the pipeline of a removed file', async () => {
    await unlink(join(dir, 'invoices.yaml'));
    await directory.sync();
    expect(registry.list()).toEqual([]);
  });
});
