import { parseArgs } from 'node:util';
import { DEFAULT_PIPELINE, GENERATORS, generatorOf, type DefectShares, type DocumentGenerator } from '../data/index.ts';
import { checkOptions, DEFAULT_OPTIONS, type LoadOptions } from './options.ts';
import { documentsPath } from './routes.ts';

const defectLists = GENERATORS.map((g) => `${' '.repeat(25)}${`${g.pipeline}:`.padEnd(10)}${g.defects.join(', ')}\n`).join('');

export const USAGE = `Usage: docpipe-load [options]

Sends a pipeline's generated documents (load/data: seeded, with a controlled share of invalid
ones) to the ingest API, checks every answer against what the generator expects, then waits
until every accepted document is stored.

  --url URL              ingest base URL (default ${DEFAULT_OPTIONS.url})
  --pipeline NAME        send that pipeline's documents to ${documentsPath('NAME')}, NAME one of
                         ${GENERATORS.map((g) => g.pipeline).join(', ')} (default: ${DEFAULT_PIPELINE}, to ${documentsPath(undefined)})
  --user NAME            user to register or reuse (default ${DEFAULT_OPTIONS.user})
  --password PASSWORD    its password (default ${DEFAULT_OPTIONS.password})
  --count N              documents to send (default ${DEFAULT_OPTIONS.count})
  --concurrency N        requests in flight, and pooled connections (default ${DEFAULT_OPTIONS.concurrency})
  --rate DOCS_PER_S      pace the documents (default: as fast as the concurrency allows)
  --batch-size N         documents per NDJSON batch request; 0 or 1 posts them singly (default 1)
  --seed N               generator seed: same seed, same documents (default ${DEFAULT_OPTIONS.seed})
  --invalid-share X      share of invalid documents (0..1) in the proportions of the pipeline's mix
  --defects SPEC         dataset (the pipeline's own mix; for invoices, the data set's) | none |
                         NAME=SHARE,... (e.g. null_customer=0.25,bad_date=0.01) of the pipeline's defects:
${defectLists}                         (default dataset; not with --invalid-share)
  --idempotency          send an Idempotency-Key with every request
  --timeout SECONDS      per request (default ${DEFAULT_OPTIONS.timeoutMs / 1000})
  --no-wait              do not wait for the accepted documents to be stored
  --wait-timeout SECONDS longest wait for them after sending (default ${DEFAULT_OPTIONS.waitTimeoutMs / 1000})
  --poll-concurrency N   lookups (GET .../documents/:id) in flight while waiting (default ${DEFAULT_OPTIONS.pollConcurrency})
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

export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowNegative: true,
      strict: true,
      options: {
        url: { type: 'string' },
        pipeline: { type: 'string' },
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
  const generator = usage(() => generatorOf(parsed.pipeline));
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
    pipeline: parsed.pipeline,
    user: parsed.user ?? d.user,
    password: parsed.password ?? d.password,
    count: num('count', parsed.count, d.count, true),
    concurrency: num('concurrency', parsed.concurrency, d.concurrency, true),
    rate: parsed.rate === undefined ? undefined : num('rate', parsed.rate, 0),
    batchSize: num('batch-size', parsed['batch-size'], d.batchSize, true),
    seed: num('seed', parsed.seed, d.seed, true),
    defects: parsed.defects !== undefined ? parseDefects(generator, parsed.defects) : shareDefects(generator, num('invalid-share', parsed['invalid-share'], -1)),
    idempotency: parsed.idempotency ?? d.idempotency,
    timeoutMs: num('timeout', parsed.timeout, d.timeoutMs / 1000) * 1000,
    wait: parsed.wait ?? d.wait,
    waitTimeoutMs: num('wait-timeout', parsed['wait-timeout'], d.waitTimeoutMs / 1000) * 1000,
    pollConcurrency: num('poll-concurrency', parsed['poll-concurrency'], d.pollConcurrency, true),
  };
  usage(() => checkOptions(options));
  return { options, json: parsed.json ?? false, quiet: parsed.quiet ?? false, help: parsed.help ?? false };
}

function usage<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** -1 stands for "not given": the pipeline's own mix. */
function shareDefects(generator: DocumentGenerator, share: number): DefectShares {
  if (share === -1) return generator.defaultDefects;
  if (!(share >= 0 && share <= 1)) throw new UsageError(`--invalid-share must be between 0 and 1, got ${share}`);
  return generator.forInvalidShare(share);
}

function parseDefects(generator: DocumentGenerator, spec: string): DefectShares {
  if (spec === 'dataset') return generator.defaultDefects;
  if (spec === 'none') return generator.noDefects;
  const shares: Record<string, number> = { ...generator.noDefects };
  for (const part of spec.split(',')) {
    const [name, value] = part.split('=').map((s) => s.trim());
    const share = Number(value);
    if (name === undefined || !generator.defects.includes(name) || value === undefined || value === '' || !Number.isFinite(share)) {
      throw new UsageError(`--defects: '${part}' is not NAME=SHARE with NAME one of ${generator.defects.join(', ')}`);
    }
    shares[name] = share;
  }
  return shares;
}
