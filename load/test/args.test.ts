import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from '../client/args.ts';
import { DEFAULT_OPTIONS } from '../client/options.ts';
import { invoices, NO_DEFECTS, orders } from '../data/index.ts';

describe('parseCliArgs', () => {
  it('gives the defaults without arguments', () => {
    expect(parseCliArgs([])).toEqual({ options: DEFAULT_OPTIONS, json: false, quiet: false, help: false });
  });

  it('reads every option', () => {
    const { options, json, quiet } = parseCliArgs([
      '--url=http://ingest:8080', '--pipeline', 'invoices', '--user', 'bench', '--password', 'secret-password', '--count', '5000', '--concurrency', '64',
      '--rate', '250.5', '--batch-size', '500', '--seed', '7', '--idempotency', '--timeout', '2.5', '--no-wait',
      '--wait-timeout', '30', '--poll-concurrency', '2', '--json', '--quiet',
    ]);
    expect(options).toEqual({
      ...DEFAULT_OPTIONS,
      url: 'http://ingest:8080', pipeline: 'invoices', user: 'bench', password: 'secret-password', count: 5000, concurrency: 64, rate: 250.5,
      batchSize: 500, seed: 7, idempotency: true, timeoutMs: 2500, wait: false, waitTimeoutMs: 30_000, pollConcurrency: 2,
    });
    expect({ json, quiet }).toEqual({ json: true, quiet: true });
  });

  it('scales the data set mix to --invalid-share', () => {
    const { defects } = parseCliArgs(['--invalid-share', '0.54']).options;
    expect(defects.null_customer).toBeCloseTo(0.5);
    expect(defects.bad_date).toBeCloseTo(0.02);
    expect(defects.wrong_type).toBeCloseTo(0.02);
    expect(parseCliArgs(['--invalid-share', '0']).options.defects).toEqual(NO_DEFECTS);
  });

  it("takes --pipeline's defects: its own mix by default, scaled by --invalid-share, named by --defects", () => {
    expect(parseCliArgs(['--pipeline', 'orders']).options).toEqual({ ...DEFAULT_OPTIONS, pipeline: 'orders', defects: orders.defaultDefects });
    expect(parseCliArgs(['--pipeline', 'orders', '--invalid-share', '0.3']).options.defects).toEqual(orders.forInvalidShare(0.3));
    expect(parseCliArgs(['--pipeline', 'orders', '--defects', 'none']).options.defects).toEqual(orders.noDefects);
    expect(parseCliArgs(['--pipeline', 'orders', '--defects', 'missing_email=0.5']).options.defects).toEqual({ ...orders.noDefects, missing_email: 0.5 });
  });

  it('reads --defects as a keyword or a list, unnamed defects at 0', () => {
    expect(parseCliArgs(['--defects', 'none']).options.defects).toEqual(NO_DEFECTS);
    expect(parseCliArgs(['--defects', 'dataset']).options.defects).toEqual(invoices.defaultDefects);
    expect(parseCliArgs(['--defects', 'bad_date=0.5, wrong_type=0.1']).options.defects).toEqual({ null_customer: 0, bad_date: 0.5, wrong_type: 0.1 });
  });

  it.each([
    [['--count', '-1'], /count/],
    [['--count', '1.5'], /--count must be a whole number/],
    [['--concurrency', '0'], /concurrency/],
    [['--poll-concurrency', '0'], /pollConcurrency/],
    [['--rate', '0'], /rate/],
    [['--rate', 'fast'], /--rate must be a number/],
    [['--timeout', ''], /--timeout must be a number/],
    [['--invalid-share', '1.2'], /between 0 and 1/],
    [['--invalid-share', '0.1', '--defects', 'none'], /not both/],
    [['--defects', 'typo=0.1'], /NAME=SHARE/],
    [['--pipeline', 'orders', '--defects', 'null_customer=0.1'], /NAME=SHARE with NAME one of zero_quantity, missing_email, bad_date, unknown_field/],
    [['--pipeline', 'shipments'], /no document generator for pipeline 'shipments'/],
    [['--defects', 'null_customer=0.9,bad_date=0.2'], /add up to at most 1/],
    [['--url', 'localhost:8080/x y'], /url/],
    [['--bogus'], /Unknown option/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});
