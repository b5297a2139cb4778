import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startSchedule } from '../src/schedule.js';

describe('startSchedule', () => {
  it('waits for the run in progress when stopped, and starts no new run', async () => {
    const events: string[] = [];
    let started!: () => void;
    const firstRun = new Promise<void>((resolve) => (started = resolve));
    const schedule = startSchedule(
      [
        {
          name: 'slow',
          pattern: '* * * * * *',
          run: async () => {
            events.push('start');
            started();
            await new Promise((resolve) => setTimeout(resolve, 300));
            events.push('end');
            return {};
          },
        },
      ],
      pino({ level: 'silent' }),
      String,
    );
    await firstRun;
    await schedule.stop();
    events.push('stopped');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(events).toEqual(['start', 'end', 'stopped']);
  });

  it('logs a failed run and keeps the schedule going', async () => {
    let runs = 0;
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const schedule = startSchedule(
      [{ name: 'flaky', pattern: '* * * * * *', run: async () => Promise.reject(new Error(`failure ${++runs}`)) }],
      logger,
      (error) => (error as Error).message,
    );
    await expect.poll(() => runs, { timeout: 3500 }).toBeGreaterThanOrEqual(2);
    await schedule.stop();
    expect(lines.some((line) => line.includes('flaky failed: failure 1'))).toBe(true);
  });
});
