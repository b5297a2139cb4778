import type { GeneratedDocument } from '../data/index.ts';
import type { Reply } from './api.ts';
import { isExpectedRejection, type FieldProblem, type Rejections } from './expectation.ts';

export interface RejectionGroup {
  readonly field: string;
  readonly reason: string;
  /** Whether these rejections are the ones the generator caused on purpose. */
  readonly expected: boolean;
  readonly count: number;
}

export interface ErrorGroup {
  /** `HTTP <status>`, or the network error's code (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT…). */
  readonly kind: string;
  /** Documents, not requests: a failed batch counts all of its documents. */
  readonly count: number;
}

interface BatchResult {
  readonly index?: unknown;
  readonly id?: unknown;
  readonly errors?: readonly FieldProblem[];
}

/** The outcome of every document sent so far, checked against what the generator meant. */
export class Tally {
  accepted = 0;
  /** Documents with a defect that were accepted all the same. */
  acceptedInvalid = 0;
  rejected = 0;
  rejectedExpected = 0;
  failed = 0;
  /** Documents answered 504: Kafka did not confirm them, so they may or may not be stored. */
  unknown = 0;
  /** The ids the 504s named. */
  readonly unknownIds: string[] = [];
  /** Requests sent again after a 503 (nothing written), or a 504 with an Idempotency-Key. */
  retried = 0;
  /** Ids in the order the API returned them, duplicates included. */
  readonly ids: string[] = [];
  readonly #reasons = new Map<string, { field: string; reason: string; expected: boolean; count: number }>();
  readonly #errors = new Map<string, number>();
  readonly #rejections: Rejections;

  /** `rejections`: the table of the generator whose documents are sent. */
  constructor(rejections: Rejections) {
    this.#rejections = rejections;
  }

  /** The answer to a POST of one document. */
  single(generated: GeneratedDocument, reply: Reply): void {
    const body = reply.body as { id?: unknown; details?: readonly FieldProblem[] } | undefined;
    if (reply.status === 202) this.#accept(generated, body?.id);
    else if (reply.status === 422) this.#reject(generated, body?.details ?? []);
    else if (reply.status === 504) this.#unknown(1, reply);
    else this.fail(1, `HTTP ${reply.status}`);
  }

  /** The answer to a POST of a batch: one result per document, by index. */
  batch(generated: readonly GeneratedDocument[], reply: Reply): void {
    if (reply.status === 504) {
      this.#unknown(generated.length, reply);
      return;
    }
    const results = (reply.body as { results?: unknown } | undefined)?.results;
    if ((reply.status !== 202 && reply.status !== 422) || !Array.isArray(results)) {
      this.fail(generated.length, `HTTP ${reply.status}`);
      return;
    }
    let answered = 0;
    for (const result of results as BatchResult[]) {
      const document = typeof result.index === 'number' ? generated[result.index] : undefined;
      if (!document) continue;
      answered += 1;
      if (result.id !== undefined) this.#accept(document, result.id);
      else this.#reject(document, result.errors ?? []);
    }
    if (answered < generated.length) this.fail(generated.length - answered, 'batch answer without a result');
  }

  fail(documents: number, kind: string): void {
    this.failed += documents;
    this.#errors.set(kind, (this.#errors.get(kind) ?? 0) + documents);
  }

  /** Most frequent first. */
  reasons(): RejectionGroup[] {
    return [...this.#reasons.values()].map((group) => ({ ...group })).sort((a, b) => b.count - a.count);
  }

  errors(): ErrorGroup[] {
    return [...this.#errors].map(([kind, count]) => ({ kind, count })).sort((a, b) => b.count - a.count);
  }

  #unknown(documents: number, reply: Reply): void {
    this.unknown += documents;
    const ids = (reply.body as { ids?: unknown } | undefined)?.ids;
    if (Array.isArray(ids)) this.unknownIds.push(...ids.filter((id): id is string => typeof id === 'string'));
  }

  #accept(generated: GeneratedDocument, id: unknown): void {
    if (typeof id !== 'string') {
      this.fail(1, 'accepted without an id');
      return;
    }
    this.accepted += 1;
    if (generated.defect !== null) this.acceptedInvalid += 1;
    this.ids.push(id);
  }

  #reject(generated: GeneratedDocument, problems: readonly FieldProblem[]): void {
    this.rejected += 1;
    const expected = isExpectedRejection(this.#rejections, generated.defect, problems);
    if (expected) this.rejectedExpected += 1;
    for (const { field, reason } of problems.length > 0 ? problems : [{ field: '(none)', reason: 'a 422 without details' }]) {
      const key = JSON.stringify([field, reason, expected]);
      const group = this.#reasons.get(key);
      if (group) group.count += 1;
      else this.#reasons.set(key, { field, reason, expected, count: 1 });
    }
  }
}
