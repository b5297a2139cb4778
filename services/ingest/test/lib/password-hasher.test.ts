import { describe, expect, it } from 'vitest';
import { HashQueueFullError, PasswordHasher } from '../../src/lib/password-hasher.js';

describe('PasswordHasher', () => {
  it('hashes with argon2id at the OWASP parameters and verifies', async () => {
    const hasher = await PasswordHasher.create({ concurrency: 2, queueMax: 10 });
    const hash = await hasher.hash('correct horse battery');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(hasher.verify(hash, 'correct horse battery')).resolves.toBe(true);
    await expect(hasher.verify(hash, 'wrong horse battery')).resolves.toBe(false);
  });

  it('answers false for an unknown user after the same argon2 work', async () => {
    const hasher = await PasswordHasher.create({ concurrency: 1, queueMax: 10 });
    const hash = await hasher.hash('correct horse battery');
    const time = async (stored: string | undefined) => {
      const start = performance.now();
      expect(await hasher.verify(stored, 'guess')).toBe(false);
      return performance.now() - start;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      known.push(await time(hash));
      unknown.push(await time(undefined));
    }
    // Both run one argon2 verification at the same parameters; without the dummy hash the unknown
    // case would take microseconds instead of tens of milliseconds.
    expect(Math.min(...unknown)).toBeGreaterThan(Math.min(...known) * 0.5);
  });

  it('refuses work beyond concurrency + queue at once, and counts it', async () => {
    let refused = 0;
    const hasher = await PasswordHasher.create({ concurrency: 1, queueMax: 1, onQueueFull: () => refused++ });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => hasher.hash('password-123')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(3);
    for (const r of rejected) expect(r.reason).toBeInstanceOf(HashQueueFullError);
    expect(refused).toBe(3);
    // Once the burst is over, there is room again.
    await expect(hasher.hash('password-123')).resolves.toMatch(/^\$argon2id/);
  });

  it('with no queue, still runs up to the concurrency', async () => {
    const hasher = await PasswordHasher.create({ concurrency: 2, queueMax: 0 });
    const results = await Promise.allSettled(Array.from({ length: 3 }, () => hasher.hash('password-123')));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
  });
});
