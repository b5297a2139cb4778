import { parseArgs } from 'node:util';
import { DATASET_DEFECTS, NO_DEFECTS, type Defect, type DefectShares } from '../data/index.ts';
import { checkOptions, DEFAULT_OPTIONS, defectsForInvalidShare, type LoadOptions } from './options.ts';

export const USAGE = `Usage: docpipe-load [options]

Sends generated invoice documents (load/data: UCI-shaped, seeded, with a controlled share of
invalid ones) to the ingest API, checks every answer against what the generator expects, then
waits until every accepted document is stored.

  --url URL              ingest base URL (default ${DEFAULT_OPTIONS.url})
  --user NAME            user to register or reuse (default ${DEFAULT_OPTIONS.user})
  --password PASSWORD    its password (default ${DEFAULT_OPTIONS.password})
  --count N              documents to send (default ${DEFAULT_OPTIONS.count})
  --concurrency N        requests in flight, and pooled connections (default ${DEFAULT_OPTIONS.concurrency})
  --rate DOCS_PER_S      pace the documents (default: as fast as the concurrency allows)
  --batch-size N         documents per NDJSON batch request; 0 or 1 posts them singly (default 1)
  --seed N               generator seed: same seed, same documents (default ${DEFAULT_OPTIONS.seed})
  --invalid-share X      share of invalid documents (0..1) in the data set's proportions
  --defects SPEC         dataset | none | null_customer=0.25,bad_date=0.01,wrong_type=0.01
                         (default dataset; not with --invalid-share)
  --idempotency          send an Idempotency-Key with every request
  --timeout SECONDS      per request (default ${DEFAULT_OPTIONS.timeoutMs / 1000})
  --no-wait              do not wait for the accepted documents to be stored
  --wait-timeout SECONDS longest wait for them after sending (default ${DEFAULT_OPTIONS.waitTimeoutMs / 1000})
  --poll-concurrency N   GET /v1/documents/:id in flight while waiting (default ${DEFAULT_OPTIONS.pollConcurrency})
  --json                 print the summary as JSON
  --quiet                no progress bar (there is none either when stderr is not a terminal)
  -h, --help             this text

Exit status: 0 when every answer was as expected and every accepted document was stored,
1 when not, 2 when the run could not start (bad option, login refused, API unreachable).
`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CliArgs {
  readonly options: LoadOptions;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly help: boolean;
}

const DEFECTS: readonly Defect[] = ['null_customer', 'bad_date', 'wrong_type'];

export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowNegative: true,
      strict: true,
      options: {
        url: { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
        count: { type: 'string' },
        concurrency: { type: 'string' },
        rate: { type: 'string' },
        'batch-size': { type: 'string' },
        seed: { type: 'string' },
        'invalid-share': { type: 'string' },
        defects: { type: 'string' },
        idempotency: { type: 'boolean' },
        timeout: { type: 'string' },
        wait: { type: 'boolean' },
        'wait-timeout': { type: 'string' },
        'poll-concurrency': { type: 'string' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed['invalid-share'] !== undefined && parsed.defects !== undefined) throw new UsageError('use --invalid-share or --defects, not both');

  const d = DEFAULT_OPTIONS;
  const num = (name: string, text: string | undefined, fallback: number, integer = false) => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
      throw new UsageError(`--${name} must be ${integer ? 'a whole number' : 'a number'}, got '${text}'`);
    }
    return value;
  };
  const options: LoadOptions = {
    url: parsed.url ?? d.url,
    user: parsed.user ?? d.user,
    password: parsed.password ?? d.password,
    count: num('count', parsed.count, d.count, true),
    concurrency: num('concurrency', parsed.concurrency, d.concurrency, true),
    rate: parsed.rate === undefined ? undefined : num('rate', parsed.rate, 0),
    batchSize: num('batch-size', parsed['batch-size'], d.batchSize, true),
    seed: num('seed', parsed.seed, d.seed, true),
    defects: parsed.defects !== undefined ? parseDefects(parsed.defects) : shareDefects(num('invalid-share', parsed['invalid-share'], -1)),
    idempotency: parsed.idempotency ?? d.idempotency,
    timeoutMs: num('timeout', parsed.timeout, d.timeoutMs / 1000) * 1000,
    wait: parsed.wait ?? d.wait,
    waitTimeoutMs: num('wait-timeout', parsed['wait-timeout'], d.waitTimeoutMs / 1000) * 1000,
    pollConcurrency: num('poll-concurrency', parsed['poll-concurrency'], d.pollConcurrency, true),
  };
  try {
    checkOptions(options);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return { options, json: parsed.json ?? false, quiet: parsed.quiet ?? false, help: parsed.help ?? false };
}

/** -1 stands for "not given": the data set's own mix. */
function shareDefects(share: number): DefectShares {
  if (share === -1) return DATASET_DEFECTS;
  if (!(share >= 0 && share <= 1)) throw new UsageError(`--invalid-share must be between 0 and 1, got ${share}`);
  return defectsForInvalidShare(share);
}

function parseDefects(spec: string): DefectShares {
  if (spec === 'dataset') return DATASET_DEFECTS;
  if (spec === 'none') return NO_DEFECTS;
  const shares: Record<Defect, number> = { ...NO_DEFECTS };
  for (const part of spec.split(',')) {
    const [name, value] = part.split('=').map((s) => s.trim());
    const share = Number(value);
    if (!DEFECTS.includes(name as Defect) || value === undefined || value === '' || !Number.isFinite(share)) {
      throw new UsageError(`--defects: '${part}' is not NAME=SHARE with NAME one of ${DEFECTS.join(', ')}`);
    }
    shares[name as Defect] = share;
  }
  return shares;
}
