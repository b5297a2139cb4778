import { afterEach, describe, expect, it, vi } from 'vitest';
import { dueAt, waitTurn } from '../client/pacing.ts';

describe('dueAt', () => {
  it('spaces documents by 1/rate from the start, batches by their first document', () => {
    expect(dueAt(1000, 0, 50)).toBe(1000);
    expect(dueAt(1000, 100, 50)).toBe(3000);
    expect(dueAt(0, 500, 2000)).toBe(250);
  });
});

describe('waitTurn', () => {
  afterEach(() => void vi.useRealTimers());

  it('waits until the document is due, and not at all once it is late or without a rate', async () => {
    vi.useFakeTimers();
    let done = false;
    void waitTurn(0, 100, 50, 500).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(1499);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);

    const late = vi.fn();
    void waitTurn(0, 100, 50, 2500).then(late);
    void waitTurn(0, 100, undefined, 0).then(late);
    await vi.advanceTimersByTimeAsync(0);
    expect(late).toHaveBeenCalledTimes(2);
  });
});
