import { PARTS } from '@docpipe/contract';
import { describe, expect, it } from 'vitest';
import { classify, makeDryRun, makeUpSteps } from './support/make-up.js';

describe("make up's order", () => {
  it('is made of steps the replay (make-up.int.test.ts) knows', () => {
    expect(() => makeUpSteps()).not.toThrow();
  });

  it('creates the namespace before it installs any chart, and before it applies anything', () => {
    const steps = makeUpSteps();
    const namespace = steps.findIndex((s) => s.kind === 'run' && /scripts\/k8s\/namespace\.sh/.test(s.command));
    const firstHelm = steps.findIndex((s) => s.kind === 'helm');
    const firstApply = steps.findIndex((s) => s.kind === 'run' && !/scripts\/k8s\/namespace\.sh/.test(s.command));
    expect(namespace).toBeGreaterThanOrEqual(0);
    expect(firstHelm).toBeGreaterThan(namespace);
    expect(firstApply).toBeGreaterThan(namespace);
  });

  it('builds an image of every part, and applies the pipelines once the operator runs', () => {
    const images = makeDryRun('images').find((c) => c.startsWith('for part in '));
    expect(images?.match(/^for part in ([a-z ]+);/)?.[1]?.split(' ')).toEqual([...PARTS].sort());
    const steps = makeUpSteps().map((s) => s.command);
    const operator = steps.findIndex((c) => c.includes('rollout status deployment/operator'));
    const pipelines = steps.findIndex((c) => /apply .*-f pipelines\/$/.test(c));
    expect(operator).toBeGreaterThan(0);
    expect(pipelines).toBeGreaterThan(operator);
    // ingest's Kafka user and spec folder exist once the operator has made a pipeline Ready.
    const ready = steps.findIndex((c) => /wait documentpipelines --all --for=condition=Ready/.test(c));
    expect(ready).toBeGreaterThan(pipelines);
    expect(steps.findIndex((c) => c.includes('rollout status deployment/ingest'))).toBeGreaterThan(ready);
    expect(steps.filter((c) => /deployment\/consumer\b/.test(c))).toEqual([]);
  });

  it('creates it for `make deploy` and `make operators` alone too', () => {
    for (const target of ['deploy', 'operators']) {
      expect(makeDryRun(target).some((c) => /scripts\/k8s\/namespace\.sh/.test(c)), target).toBe(true);
    }
  });
});

describe('the step reader', () => {
  it('reads a Helm install', () => {
    expect(classify('helm upgrade --install keda keda --repo https://x --version 1 -n keda --create-namespace -f charts/keda.values.yaml --wait')).toEqual({
      kind: 'helm',
      command: expect.any(String),
      helm: { release: 'keda', chart: 'keda', namespace: 'keda', createNamespace: true, valuesFile: 'charts/keda.values.yaml' },
    });
  });

  it('refuses a step it cannot place', () => {
    expect(() => classify('kubectl create namespace docpipe')).toThrow(/does not know/);
  });
});
