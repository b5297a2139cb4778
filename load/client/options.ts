import { generatorOf, type DefectShares } from '../data/index.ts';
import type { DurationRecorder } from './stats.ts';

export interface Progress {
  readonly phase: 'send' | 'wait';
  /** Documents sent, or accepted documents found stored. */
  readonly done: number;
  readonly total: number;
}

export interface LoadOptions {
  /** Base URL of the ingest API. */
  readonly url: string;
  /**
   * The pipeline whose documents are sent, to /v1/pipelines/<pipeline>/documents. undefined sends
   * invoices to /v1/documents, the routes they had before pipelines were data.
   */
  readonly pipeline: string | undefined;
  /** Registered on first use; an existing user of that name is reused with this password. */
  readonly user: string;
  readonly password: string;
  /** Documents to send. */
  readonly count: number;
  /** Requests in flight at once, and the size of the connection pool. */
  readonly concurrency: number;
  /** Documents per second; undefined sends as fast as the concurrency allows. */
  readonly rate: number | undefined;
  /** Documents per request: 0 or 1 posts them one by one, more posts NDJSON batches. */
  readonly batchSize: number;
  /** Same seed, same documents (see load/data). */
  readonly seed: number;
  /** Shares of the pipeline's own defects (see its generator in load/data). */
  readonly defects: DefectShares;
  /** Send an Idempotency-Key with every request. */
  readonly idempotency: boolean;
  /** Per request: connecting, the answer's headers, a pause in its body. */
  readonly timeoutMs: number;
  /** Wait until every accepted document is stored, and measure that. */
  readonly wait: boolean;
  /** Longest wait for the documents to be stored, counted from the end of sending. */
  readonly waitTimeoutMs: number;
  /**
   * GETs in flight while waiting. Kept apart from `concurrency`: checking must not become a load
   * test of the store (on FerretDB every lookup scans the collection).
   */
  readonly pollConcurrency: number;
  readonly onProgress?: ((progress: Progress) => void) | undefined;
  /**
   * Records the request durations here instead of in a histogram of the run's own, so that runs
   * in rounds report their latency together (bench/ alternates rounds between two servers); the
   * summary's percentiles are then those of every run recorded so far.
   */
  readonly latency?: DurationRecorder | undefined;
}

export const DEFAULT_OPTIONS: LoadOptions = {
  url: 'http://127.0.0.1:8080',
  pipeline: undefined,
  user: 'loadtest',
  password: 'loadtest-password',
  count: 1000,
  concurrency: 32,
  rate: undefined,
  batchSize: 1,
  seed: 1,
  defects: generatorOf().defaultDefects,
  idempotency: false,
  timeoutMs: 30_000,
  wait: true,
  waitTimeoutMs: 120_000,
  pollConcurrency: 4,
};

/** The defaults, with the defect mix of the pipeline the input names; the input wins. */
export function withDefaults(input: Partial<LoadOptions>): LoadOptions {
  return { ...DEFAULT_OPTIONS, defects: generatorOf(input.pipeline).defaultDefects, ...input };
}

/** A pipeline's own mix of defects scaled to a total invalid share, keeping their proportions. */
export function defectsForInvalidShare(share: number, pipeline?: string): DefectShares {
  return generatorOf(pipeline).forInvalidShare(share);
}

/** Throws a RangeError naming the first option that makes no sense. */
export function checkOptions(options: LoadOptions): void {
  const positive = { concurrency: options.concurrency, pollConcurrency: options.pollConcurrency, timeoutMs: options.timeoutMs, waitTimeoutMs: options.waitTimeoutMs };
  for (const [name, value] of Object.entries(positive)) {
    if (!(value > 0)) throw new RangeError(`${name} must be greater than 0, got ${value}`);
  }
  if (!Number.isInteger(options.count) || options.count < 0) throw new RangeError(`count must be a whole number ≥ 0, got ${options.count}`);
  for (const [name, value] of Object.entries({ concurrency: options.concurrency, pollConcurrency: options.pollConcurrency })) {
    if (!Number.isInteger(value)) throw new RangeError(`${name} must be a whole number, got ${value}`);
  }
  if (!Number.isInteger(options.batchSize) || options.batchSize < 0) throw new RangeError(`batchSize must be a whole number ≥ 0, got ${options.batchSize}`);
  if (options.rate !== undefined && !(options.rate > 0)) throw new RangeError(`rate must be greater than 0, got ${options.rate}`);
  const { pipeline, defects } = generatorOf(options.pipeline);
  const names = Object.keys(options.defects);
  if (names.length !== defects.length || !names.every((name) => defects.includes(name))) {
    throw new RangeError(`defects must give a share for each defect of pipeline ${pipeline} (${defects.join(', ')}), got ${names.join(', ') || 'none'}`);
  }
  const shares = Object.values(options.defects);
  if (shares.some((share) => !(share >= 0)) || shares.reduce((a, b) => a + b, 0) > 1) {
    throw new RangeError('defect shares must be ≥ 0 and add up to at most 1');
  }
  if (!/^https?:$/.test(URL.parse(options.url)?.protocol ?? '')) throw new RangeError(`url must be an http(s) URL, got ${options.url}`);
}
