import { describe, expect, it } from 'vitest';
import { notReadyReason } from '../src/controller/reconcile.js';
import { conditionsFor, nextStatus, sameStatus, type Outcome } from '../src/controller/status.js';

const t0 = new Date('2026-12-01T10:00:00.123Z');
const t1 = new Date('2026-12-01T10:05:00Z');
const ready: Outcome = { kind: 'applied', revision: 'abc123', waiting: [], behind: [] };
const byType = (conditions: { type: string }[]) => Object.fromEntries(conditions.map((c) => [c.type, c]));

describe('conditions', () => {
  it('say Ready with the revision when every Kafka object is Ready', () => {
    const c = byType(conditionsFor(ready, 3, [], t0));
    expect(c['Ready']).toEqual({ type: 'Ready', status: 'True', reason: 'Ready', message: expect.stringContaining('revision abc123'), observedGeneration: 3, lastTransitionTime: '2026-12-01T10:00:00Z' });
    expect(c['Progressing']).toMatchObject({ status: 'False', reason: 'Reconciled' });
    expect(c['Degraded']).toMatchObject({ status: 'False', reason: 'AsExpected' });
  });

  it('name each Kafka object not Ready, with what its operator said', () => {
    const waiting: Outcome = { kind: 'applied', revision: 'abc123', waiting: [{ object: 'KafkaTopic/orders', why: 'Invalid partition count' }], behind: [] };
    const c = byType(conditionsFor(waiting, 3, [], t0));
    expect(c['Ready']).toMatchObject({ status: 'False', reason: 'KafkaNotReady', message: expect.stringContaining('KafkaTopic/orders is not Ready: Invalid partition count') });
    expect(c['Progressing']).toMatchObject({ status: 'True', reason: 'WaitingForKafka' });
    expect(c['Degraded']).toMatchObject({ status: 'False' });
  });

  it('stay Ready while replicas switch to the revision, and say how many serve it', () => {
    const rolling: Outcome = { kind: 'applied', revision: 'abc123', waiting: [], behind: [{ part: 'ingest', current: 1, replicas: 3 }] };
    const c = byType(conditionsFor(rolling, 3, [], t0));
    expect(c['Ready']).toMatchObject({ status: 'True', reason: 'Ready' });
    expect(c['Progressing']).toMatchObject({ status: 'True', reason: 'RollingOut', message: expect.stringContaining('revision abc123 is live in ingest: 1 of 3 ready replicas') });
  });

  it('give the compiler’s problems for a spec that does not compile, and say the old revision serves', () => {
    const c = byType(conditionsFor({ kind: 'invalid', problems: ['spec.transform.fields.total: unknown function', 'spec.examples.valid[0] is refused'] }, 4, [], t0));
    expect(c['Ready']!.message).toMatch(/previous revision keeps serving: spec.transform.fields.total: unknown function; spec.examples.valid\[0\] is refused/);
    expect(c['Degraded']).toMatchObject({ status: 'True', reason: 'InvalidSpec' });
    expect(c['Progressing']).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
  });

  it('say which object failed to apply, and that it is retried', () => {
    const c = byType(conditionsFor({ kind: 'failed', object: 'ScaledObject/consumer-orders', message: 'the server could not find the requested resource' }, 4, [], t0));
    expect(c['Ready']).toMatchObject({ status: 'False', reason: 'ApplyFailed', message: expect.stringMatching(/^ScaledObject\/consumer-orders could not be applied: the server could not find/) });
    expect(c['Progressing']).toMatchObject({ status: 'True', reason: 'Retrying' });
  });

  it('keep lastTransitionTime while a status holds, and move it when the status changes', () => {
    const first = conditionsFor(ready, 1, [], t0);
    const again = byType(conditionsFor(ready, 2, first, t1));
    expect(again['Ready']).toMatchObject({ lastTransitionTime: '2026-12-01T10:00:00Z', observedGeneration: 2 });
    const broken = byType(conditionsFor({ kind: 'invalid', problems: ['x'] }, 3, first, t1));
    expect(broken['Ready']!.lastTransitionTime).toBe('2026-12-01T10:05:00Z');
    expect(broken['Progressing']!.lastTransitionTime).toBe('2026-12-01T10:00:00Z');
  });
});

describe('the status', () => {
  it('keeps what was rendered before when a new spec does not compile', () => {
    const rendered = { revision: 'abc123', topics: { documents: 'orders', rejected: 'orders.rejected', deadletter: 'orders.dlq' }, collections: { documents: 'orders', rejected: 'orders_rejected' } };
    const good = nextStatus(undefined, ready, 1, rendered, t0);
    const bad = nextStatus(good, { kind: 'invalid', problems: ['x'] }, 2, undefined, t1);
    expect(bad).toMatchObject({ ...rendered, observedGeneration: 2 });
  });

  it('is not written again when nothing changed', () => {
    const s = nextStatus(undefined, ready, 1, { revision: 'abc123' }, t0);
    expect(sameStatus(JSON.parse(JSON.stringify(s)), nextStatus(s, ready, 1, { revision: 'abc123' }, t1))).toBe(true);
    expect(sameStatus(s, nextStatus(s, ready, 2, { revision: 'abc123' }, t1))).toBe(false);
  });
});

describe('a Strimzi object', () => {
  const topic = (status: object | undefined, generation = 1) => ({ kind: 'KafkaTopic', metadata: { generation }, ...(status ? { status } : {}) });
  it('is Ready only when its Ready condition is True for its current generation', () => {
    expect(notReadyReason(topic(undefined))).toBe('the Strimzi topic operator has not reported on it yet');
    expect(notReadyReason(topic({ conditions: [{ type: 'Ready', status: 'False', message: 'Partitions cannot be decreased' }] }))).toBe('Partitions cannot be decreased');
    expect(notReadyReason(topic({ observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' }] }, 2))).toMatch(/has not acted on its latest change/);
    expect(notReadyReason(topic({ observedGeneration: 2, conditions: [{ type: 'Ready', status: 'True' }] }, 2))).toBeUndefined();
  });
});
