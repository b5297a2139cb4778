import { describe, expect, it } from 'vitest';
import type { Clock } from '../src/clock.js';
import { WorkQueue } from '../src/controller/queue.js';

/** A clock that moves only when told. */
function manualClock() {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const clock: Clock = {
    now: () => new Date(now),
    after(ms, fn) {
      const timer = { at: now + ms, fn };
      timers.push(timer);
      return () => timers.splice(timers.indexOf(timer), 1);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((t) => t.at <= now)) {
      timers.splice(timers.indexOf(t), 1);
      t.fn();
    }
  };
  return { clock, advance, pending: () => timers.map((t) => t.at - now) };
}

describe('the work queue', () => {
  it('holds a key once however often it is added', async () => {
    const q = new WorkQueue({ clock: manualClock().clock });
    q.add('ns/a');
    q.add('ns/a');
    q.add('ns/b');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('ns/a');
    expect(await q.get()).toBe('ns/b');
  });

  it('never hands out a key that is in work; added meanwhile, it comes back once done', async () => {
    const q = new WorkQueue({ clock: manualClock().clock });
    q.add('ns/a');
    const key = await q.get();
    q.add('ns/a');
    q.add('ns/a');
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).toBeUndefined();
    q.done(key!);
    await Promise.resolve();
    expect(second).toBe('ns/a');
    expect(q.length).toBe(0);
  });

  it('backs a failing key off, doubling up to the ceiling, and starts over once it succeeds', () => {
    const { clock } = manualClock();
    const q = new WorkQueue({ clock, baseDelayMs: 100, maxDelayMs: 1000 });
    expect([1, 2, 3, 4, 5, 6].map(() => q.addRateLimited('ns/a'))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(q.addRateLimited('ns/b')).toBe(100);
    q.forget('ns/a');
    expect(q.addRateLimited('ns/a')).toBe(100);
  });

  it('adds a delayed key when its time comes, by the injected clock', async () => {
    const { clock, advance } = manualClock();
    const q = new WorkQueue({ clock });
    q.addAfter('ns/a', 30_000);
    expect(q.length).toBe(0);
    advance(29_999);
    expect(q.length).toBe(0);
    advance(1);
    expect(await q.get()).toBe('ns/a');
  });

  it('wakes its workers with nothing when shut down, and drops pending retries', async () => {
    const { clock, pending } = manualClock();
    const q = new WorkQueue({ clock });
    q.addRateLimited('ns/a');
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();
    expect(pending()).toEqual([]);
    q.add('ns/b');
    expect(await q.get()).toBeUndefined();
  });
});
