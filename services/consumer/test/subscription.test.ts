import type { BatchConsumer } from '@docpipe/kafka';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { consumedTopics } from '@docpipe/pipeline';
import { Subscription } from '../src/subscription.js';
import { repositoryPipeline } from './pipelines.js';

const logger = pino({ level: 'silent' });
const policy = { initialDelayMs: 1, maxDelayMs: 2 };

/** Members that record their life in `events`; a start fails while `failures` says so. */
function fakeGroup() {
  const events: string[] = [];
  let members = 0;
  const group = {
    events,
    failures: 0,
    start: async (topics: readonly string[]): Promise<BatchConsumer> => {
      if (group.failures > 0) {
        group.failures -= 1;
        events.push(`start failed ${topics.join(',')}`);
        throw new Error('This server does not host this topic-partition');
      }
      const name = `member ${++members}`;
      let running = true;
      events.push(`${name} joins ${topics.join(',')}`);
      return {
        stop: async () => {
          await new Promise((resolve) => setTimeout(resolve, 5)); // the batch in hand
          running = false;
          events.push(`${name} left`);
        },
        isRunning: () => running,
      };
    },
  };
  return group;
}

describe('consumedTopics', () => {
  it("lists every pipeline's documents and rejected topics, and the inbox only where it is enabled", () => {
    expect(consumedTopics([repositoryPipeline('orders'), repositoryPipeline('invoices')])).toEqual([
      'documents',
      'documents.rejected',
      'orders',
      'orders.inbox',
      'orders.rejected',
    ]);
    expect(consumedTopics([])).toEqual([]);
  });
});

describe('subscription', () => {
  it('keeps its member when the topics are the same, in whatever order', async () => {
    const group = fakeGroup();
    const subscription = new Subscription({ start: group.start, policy, logger });
    await subscription.start(['b', 'a']);
    let prepared = 0;
    await subscription.update(['a', 'b', 'a'], async () => void (prepared += 1));
    expect(prepared).toBe(1);
    expect(group.events).toEqual(['member 1 joins a,b']);
    expect(subscription.isRunning()).toBe(true);
    await subscription.stop();
  });

  it('replaces its member for new topics: the old one leaves before the new one joins, one change after another', async () => {
    const group = fakeGroup();
    const subscription = new Subscription({ start: group.start, policy, logger });
    await subscription.start(['a']);
    const order: string[] = [];
    const first = subscription.update(['a', 'b'], async () => void order.push('prepare b'));
    const second = subscription.update(['b'], async () => void order.push('prepare -a'));
    expect(subscription.isRunning()).toBe(true); // nothing changes before a change's turn
    await Promise.all([first, second]);
    expect(order).toEqual(['prepare b', 'prepare -a']);
    expect(group.events).toEqual(['member 1 joins a', 'member 1 left', 'member 2 joins a,b', 'member 2 left', 'member 3 joins b']);
    expect(subscription.topics).toEqual(['b']);
    expect(subscription.isRunning()).toBe(true);
    await subscription.stop();
    expect(group.events.at(-1)).toBe('member 3 left');
    expect(subscription.isRunning()).toBe(false);
  });

  it('applies a change asked for during the start after it, and throws a start that fails', async () => {
    const group = fakeGroup();
    const subscription = new Subscription({ start: group.start, policy, logger });
    const started = subscription.start(['a'], () => new Promise((resolve) => setTimeout(resolve, 20)));
    const change = subscription.update(['a', 'b']);
    await started;
    await change;
    expect(group.events).toEqual(['member 1 joins a', 'member 1 left', 'member 2 joins a,b']);
    await subscription.stop();

    const failing = fakeGroup();
    failing.failures = 1;
    await expect(new Subscription({ start: failing.start, policy, logger }).start(['a'])).rejects.toThrow('does not host this topic-partition');
  });

  it('retries a failing preparation before touching the member, and a failing start until it joins', async () => {
    const group = fakeGroup();
    const subscription = new Subscription({ start: group.start, policy, logger });
    await subscription.start(['a']);
    let attempts = 0;
    group.failures = 2;
    await subscription.update(['a', 'new'], async () => {
      attempts += 1;
      if (attempts < 3) throw new Error('topics not created yet');
      group.events.push('prepared');
    });
    expect(group.events).toEqual(['member 1 joins a', 'prepared', 'member 1 left', 'start failed a,new', 'start failed a,new', 'member 2 joins a,new']);
    await subscription.stop();
  });

  it('stops while a start keeps failing, without a member left behind', async () => {
    const group = fakeGroup();
    const subscription = new Subscription({ start: group.start, policy: { initialDelayMs: 20, maxDelayMs: 20 }, logger });
    await subscription.start(['a']);
    group.failures = Number.POSITIVE_INFINITY;
    const change = subscription.update(['a', 'missing']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(subscription.isRunning()).toBe(false);
    await subscription.stop();
    await change;
    const attempts = group.events.filter((e) => e.startsWith('start failed')).length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(group.events.filter((e) => e.startsWith('start failed')).length).toBe(attempts);
    expect(group.events.filter((e) => e.includes('joins'))).toEqual(['member 1 joins a']);
  });

  it('runs no member without topics, and starts one when a pipeline brings some', async () => {
    const group = fakeGroup();
    const subscription = new Subscription({ start: group.start, policy, logger });
    await subscription.start([]);
    expect(subscription.isRunning()).toBe(false);
    await subscription.update(['a']);
    expect(group.events).toEqual(['member 1 joins a']);
    await subscription.update([]);
    expect(group.events).toEqual(['member 1 joins a', 'member 1 left']);
    expect(subscription.isRunning()).toBe(false);
    await subscription.stop();
  });
});
