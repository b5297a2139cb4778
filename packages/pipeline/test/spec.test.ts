// A spec that cannot go live is refused with a message naming the file and the problem.
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { PipelineSpecError } from '../src/compile/pipeline.js';
import { PipelineRegistry } from '../src/registry/registry.js';
import { compilePipelineYaml } from '../src/spec/parse.js';
import { repositoryPipeline, specText } from './fixtures.js';

type Resource = { metadata: { name: string }; spec: Record<string, any> };
const invoicesYaml = (edit: (resource: Resource) => void) => {
  const resource = parse(specText('invoices')) as Resource;
  edit(resource);
  return stringify(resource);
};

function problemsOf(text: string): readonly string[] {
  try {
    compilePipelineYaml(text, 'pipelines/broken.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(PipelineSpecError);
    expect((error as Error).message).toMatch(/^pipelines\/broken\.yaml: /);
    return (error as PipelineSpecError).problems;
  }
  throw new Error('expected the spec to be refused');
}

describe('a spec is refused', () => {
  it('when its schema is not valid JSON Schema', () => {
    const problems = problemsOf(invoicesYaml((r) => (r.spec['schema'].properties.Quantity.type = 'integr')));
    expect(problems).toEqual([expect.stringMatching(/^spec\.schema is not a valid JSON Schema: .*type/)]);
  });

  it('when a transform expression does not parse', () => {
    const problems = problemsOf(invoicesYaml((r) => (r.spec['transform'].fields.total = 'round(doc.Quantity * , 2)')));
    expect(problems).toEqual([expect.stringMatching(/^spec\.transform\.fields\.total: /)]);
  });

  it('when a transform fails on a valid example', () => {
    const problems = problemsOf(invoicesYaml((r) => (r.spec['transform'].fields.total = 'doc.Quantity * doc.Missing')));
    expect(problems).toEqual([
      expect.stringMatching(/^spec\.examples\.valid\[0\] fails the transform: transform\.fields\.total: /),
      expect.stringMatching(/^spec\.examples\.valid\[1\] fails the transform: /),
    ]);
  });

  it('when an example does not behave as declared', () => {
    const problems = problemsOf(
      invoicesYaml((r) => {
        r.spec['examples'].valid.push({ ...r.spec['examples'].valid[0], CustomerID: null });
        r.spec['examples'].invalid[0].errors = [{ field: 'Country' }];
        r.spec['examples'].invalid[1].errors[0].reason = 'is late';
      }),
    );
    expect(problems).toEqual([
      'spec.examples.valid[2] is refused: CustomerID must not be null',
      'spec.examples.invalid[0] should fail on Country, but fails on: CustomerID must not be null',
      'spec.examples.invalid[1].InvoiceDate should fail with "is late", but fails with "is not a real calendar date and time"',
    ]);
  });

  it('when the resource does not fit the spec schema, naming the path', () => {
    const problems = problemsOf(
      invoicesYaml((r) => {
        r.spec['topic'].partitions = 0;
        r.spec['colour'] = 'blue';
      }),
    );
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^spec\.topic\.partitions /), expect.stringMatching(/^spec /)]));
  });

  it('when a rule across fields fails', () => {
    const problems = problemsOf(invoicesYaml((r) => (r.spec['scaling'] = { minReplicas: 4, maxReplicas: 2 })));
    expect(problems).toEqual(['spec.scaling.minReplicas must not exceed maxReplicas']);
  });

  it('when it is not YAML', () => {
    expect(problemsOf('spec: [unclosed')).toEqual([expect.stringMatching(/^is not valid YAML: /)]);
  });

  it('when its name, topic or collection is taken by a pipeline already served', () => {
    const registry = new PipelineRegistry();
    const invoices = repositoryPipeline('invoices');
    expect(registry.replace([invoices])).toEqual([]);
    const sameTopic = compilePipelineYaml(
      invoicesYaml((r) => {
        r.metadata.name = 'receipts';
        r.spec['storage'] = { collection: 'receipts' };
      }),
      'pipelines/receipts.yaml',
    );
    const refused = registry.replace([sameTopic, invoices]);
    const holder = invoices.source;
    expect(refused.map((e) => e.message)).toEqual([
      `pipelines/receipts.yaml: topic documents is already used by ${holder}; topic documents.rejected is already used by ${holder}; topic documents.dlq is already used by ${holder}`,
    ]);
    expect(registry.list().map((p) => p.name)).toEqual(['invoices']);
  });
});

describe('a spec that goes live', () => {
  it('has defaults applied once, from the spec schema', () => {
    const orders = repositoryPipeline('orders');
    expect(orders.spec.deletionPolicy).toBe('Retain');
    expect(orders.spec.examples.invalid.length).toBeGreaterThan(0);
    expect(repositoryPipeline('invoices').spec.inbox).toEqual({ enabled: false });
  });

  it('gets the same revision from the same spec, and another from a changed one', () => {
    expect(repositoryPipeline('invoices').revision).toBe(repositoryPipeline('invoices').revision);
    const changed = compilePipelineYaml(invoicesYaml((r) => (r.spec['description'] = 'changed')), 'x.yaml');
    expect(changed.revision).not.toBe(repositoryPipeline('invoices').revision);
  });
});
