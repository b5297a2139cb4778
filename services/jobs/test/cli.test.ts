import { describe, expect, it } from 'vitest';
import { JOBS, parseArgs, USAGE } from '../src/cli.js';

describe('parseArgs', () => {
  it.each(JOBS)('accepts the job %s', (job) => {
    expect(parseArgs([job])).toEqual({ job });
  });

  it('prints the usage on stdout with exit 0 when asked for help', () => {
    expect(parseArgs(['--help'])).toEqual({ usage: USAGE, exitCode: 0 });
  });

  it.each([
    [[], /no job given/],
    [['nope'], /unknown job 'nope'/],
    [['migrate', 'user-counter'], /expected one job, got 2/],
  ])('refuses %j with the usage and exit 2', (args, problem) => {
    const parsed = parseArgs(args);
    expect(parsed).toMatchObject({ exitCode: 2 });
    expect('usage' in parsed && parsed.usage).toMatch(problem);
    expect('usage' in parsed && parsed.usage).toContain('usage: jobs <job>');
  });
});
