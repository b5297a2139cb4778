import { describe, expect, it } from 'vitest';
import { check, firstAcknowledgementAfter, type SentRecord } from '../../src/chaos/checker.js';

const acked = (seq: number, id = `id-${seq}`, at = 1000 + seq): SentRecord => ({ seq, outcome: 'acknowledged', id, attempts: 1, acknowledgedAt: at });
const failed = (seq: number): SentRecord => ({ seq, outcome: 'failed', id: undefined, attempts: 3, acknowledgedAt: undefined });
const unanswered = (seq: number): SentRecord => ({ seq, outcome: 'unanswered', id: undefined, attempts: 2, acknowledgedAt: undefined });

describe('the chaos checker', () => {
  it('finds nothing wrong when every acknowledged sequence is stored once under its id', () => {
    const verdict = check([acked(0), acked(1), unanswered(2)], [{ seq: 0, id: 'id-0' }, { seq: 1, id: 'id-1' }]);
    expect(verdict).toMatchObject({ sent: 3, acknowledged: 2, unanswered: 1, stored: 2, lost: 0, duplicated: 0, unexpected: 0, wrongId: 0, retries: 1 });
  });

  it('counts an acknowledged sequence missing from the store as lost', () => {
    const verdict = check([acked(0), acked(1)], [{ seq: 1, id: 'id-1' }]);
    expect(verdict.lost).toBe(1);
    expect(verdict.examples.lost).toEqual([0]);
  });

  it('counts a sequence stored under two ids as duplicated, once', () => {
    const verdict = check([acked(4)], [{ seq: 4, id: 'id-4' }, { seq: 4, id: 'other' }, { seq: 4, id: 'id-4' }]);
    expect(verdict).toMatchObject({ stored: 1, duplicated: 1, lost: 0 });
    expect(verdict.examples.duplicated).toEqual([4]);
  });

  it('counts as unexpected what was stored though the client was told it was not written, or never sent', () => {
    const verdict = check([failed(0), unanswered(1)], [{ seq: 0, id: 'a' }, { seq: 1, id: 'b' }, { seq: 9, id: 'c' }]);
    expect(verdict.unexpected).toBe(2);
    expect(verdict.examples.unexpected).toEqual([0, 9]);
  });

  it('notices a 202 whose id is not the one stored', () => {
    expect(check([acked(0, 'given')], [{ seq: 0, id: 'stored' }]).wrongId).toBe(1);
  });

  it('measures the time to the first acknowledgement after the healing', () => {
    const sent = [acked(0, 'a', 900), acked(1, 'b', 1500), acked(2, 'c', 1200), unanswered(3)];
    expect(firstAcknowledgementAfter(sent, 1000)).toBe(200);
    expect(firstAcknowledgementAfter(sent, 2000)).toBeUndefined();
  });
});
