import './support/prepare.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { PipelineSpecs } from '../src/constructs/pipeline-specs.js';

const repository = fileURLToPath(new URL('../../pipelines/', import.meta.url));

describe('PipelineSpecs', () => {
  it("holds every spec of the folder as written, under the file's name", () => {
    const chart = new Chart(Testing.app(), 'test');
    const specs = new PipelineSpecs(chart, 'Pipelines', { dir: repository });
    const [configMap] = Testing.synth(chart);
    expect(configMap).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'docpipe-pipelines' } });
    expect(configMap.data['orders.yaml']).toBe(readFileSync(join(repository, 'orders.yaml'), 'utf8'));
    expect(Object.keys(configMap.data).sort()).toEqual(['invoices.yaml', 'orders.yaml']);
    expect(specs.names).toEqual(['invoices', 'orders']);
  });

  it('refuses, at synth time, a spec the services would refuse', () => {
    const dir = mkdtempSync(join(tmpdir(), 'docpipe-specs-'));
    writeFileSync(join(dir, 'orders.yaml'), readFileSync(join(repository, 'orders.yaml'), 'utf8').replace('quantity: 10, unitPrice: 0.45', 'quantity: 0, unitPrice: 0.45'));
    expect(() => new PipelineSpecs(new Chart(Testing.app(), 'test'), 'Pipelines', { dir })).toThrow(/orders\.yaml: spec\.examples\.valid\[1\] is refused/);
  });
});
