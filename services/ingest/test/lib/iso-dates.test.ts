import { describe, expect, it } from 'vitest';
import { withIsoDates } from '../../src/lib/iso-dates.js';

describe('withIsoDates', () => {
  it('turns every Date into its ISO-8601 string, at any depth, and leaves the rest as it is', () => {
    const at = new Date('2026-11-30T17:45:00.000Z');
    expect(withIsoDates({ placedAt: at, lines: [{ shippedAt: at, n: 1 }], customer: { id: 7, seen: [at] }, note: null, ok: true })).toEqual({
      placedAt: '2026-11-30T17:45:00.000Z',
      lines: [{ shippedAt: '2026-11-30T17:45:00.000Z', n: 1 }],
      customer: { id: 7, seen: ['2026-11-30T17:45:00.000Z'] },
      note: null,
      ok: true,
    });
  });
});
