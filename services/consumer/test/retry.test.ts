import { describe, expect, it } from 'vitest';
import { backoffDelay, retryUntilDone } from '../src/retry.js';

const policy = { initialDelayMs: 100, maxDelayMs: 10_000 };

describe('backoffDelay', () => {
  it('doubles per attempt between half and all of its cap, and never exceeds the maximum', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(50);
    expect(backoffDelay(1, policy, () => 1)).toBe(100);
    expect(backoffDelay(4, policy, () => 0)).toBe(400);
    expect(backoffDelay(4, policy, () => 1)).toBe(800);
    expect(backoffDelay(50, policy, () => 1)).toBe(10_000);
    expect(backoffDelay(5000, policy, () => 0)).toBe(5_000);
  });
});

describe('retryUntilDone', () => {
  it('repeats until the operation succeeds', async () => {
    let calls = 0;
    const retries: number[] = [];
    const result = await retryUntilDone(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('not yet');
        return 'done';
      },
      { policy: { initialDelayMs: 1, maxDelayMs: 1 }, signal: new AbortController().signal, onRetry: (_, attempt) => retries.push(attempt) },
    );
    expect(result).toBe('done');
    expect(retries).toEqual([1, 2]);
  });

  it('stops waiting as soon as the signal aborts', async () => {
    const stop = new AbortController();
    const started = performance.now();
    setTimeout(() => stop.abort(new Error('stopping')), 20);
    await expect(
      retryUntilDone(async () => Promise.reject(new Error('down')), { policy: { initialDelayMs: 60_000, maxDelayMs: 60_000 }, signal: stop.signal, onRetry: () => {} }),
    ).rejects.toThrow('stopping');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
