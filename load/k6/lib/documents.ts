import { SharedArray } from 'k6/data';
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import { sleep } from 'k6';
import type { FieldProblem } from '../../client/expectation.ts';
import { DOCUMENTS_URL, GENERATOR, SEED } from './config.ts';
import { recordFailure, recordOutcome } from './metrics.ts';

export interface Item {
  /** The document as JSON text, serialized once in the init context. */
  readonly body: string;
  readonly defect: string | null;
}

export interface DocumentSet {
  readonly length: number;
  /** How many of them are invalid: the exact number of 422s a run over all of them must see. */
  readonly defects: number;
  at(index: number): Item;
}

/**
 * The first `count` documents of the seed, of the PIPELINE's generator, generated once and shared
 * read-only by every VU (SharedArray), so 5000 documents are not generated again in each VU's init
 * context.
 */
export function documentSet(count: number, seed = SEED): DocumentSet {
  const name = `${GENERATOR.pipeline}:${seed}:${count}`;
  const items = new SharedArray(`documents:${name}`, () =>
    GENERATOR.generate(count, { seed }).map(({ doc, defect }): Item => ({ body: JSON.stringify(doc), defect })),
  );
  const defects = new SharedArray(`defects:${name}`, () => [GENERATOR.generate(count, { seed }).filter((g) => g.defect !== null).length])[0] as number;
  return { length: items.length, defects, at: (index) => items[index] as Item };
}

// 202 and 422 are answers the scenarios expect, so http_req_failed counts only the others.
const answered = http.expectedStatuses(202, 422);

/** How often a request answered 503 is sent again. */
const RETRIES = 5;

/**
 * Sends again after a 503, which means nothing was written. A 504 (written or not, unknown) is
 * not sent again: these requests carry no Idempotency-Key, so a retry could store a second copy.
 */
function withRetries<R extends ResponseType | undefined>(post: () => RefinedResponse<R>): RefinedResponse<R> {
  for (let attempt = 0; ; attempt++) {
    const response = post();
    if (response.status !== 503 || attempt === RETRIES) return response;
    const seconds = Number(response.headers['Retry-After']);
    sleep(Number.isFinite(seconds) && seconds > 0 ? seconds : 1);
  }
}

const headers = (token: string, contentType: string) => ({ authorization: `Bearer ${token}`, 'content-type': contentType });

export function postDocument(token: string, item: Item): void {
  const response = withRetries(() =>
    http.post(DOCUMENTS_URL, item.body, {
      headers: headers(token, 'application/json'),
      tags: { endpoint: 'single' },
      responseCallback: answered,
    }),
  );
  recordOutcome(item.defect, response.status, () => (response.json('details') as unknown as FieldProblem[] | null) ?? []);
}

interface BatchResult {
  readonly index: number;
  readonly id?: string;
  readonly errors?: FieldProblem[];
}

export function postBatch(token: string, items: readonly Item[]): void {
  const body = items.map((item) => item.body).join('\n');
  const response = withRetries(() =>
    http.post(`${DOCUMENTS_URL}/batch`, body, {
      headers: headers(token, 'application/x-ndjson'),
      tags: { endpoint: 'batch' },
      responseCallback: answered,
    }),
  );
  const results = response.status === 202 || response.status === 422 ? (response.json('results') as unknown as BatchResult[] | null) : null;
  if (!Array.isArray(results) || results.length !== items.length) {
    recordFailure(items.length, response.status);
    return;
  }
  for (const result of results) {
    const item = items[result.index] as Item;
    recordOutcome(item.defect, result.id === undefined ? 422 : 202, () => result.errors ?? []);
  }
}
