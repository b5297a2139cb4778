// The verdict of one scenario, in the manner of Jepsen's queue checker: every client sequence
// number the load sent, set against what the store holds once the pipeline is drained.

/**
 * How a sequence number ended from the client's side, after its retries:
 * - `acknowledged`: some attempt got 202, so Docpipe promised to store it;
 * - `failed`: every answer said it was not written (503, 408, 429, or another 4xx), so it must
 *   not be stored;
 * - `unanswered`: some attempt timed out, lost its connection or got a 504 or another 5xx, and none
 *   got a 202: stored or not, either is allowed.
 */
export type ClientOutcome = 'acknowledged' | 'failed' | 'unanswered';

export interface SentRecord {
  readonly seq: number;
  readonly outcome: ClientOutcome;
  /** The id of the 202; undefined otherwise. */
  readonly id: string | undefined;
  readonly attempts: number;
  /** When the 202 arrived (ms since the epoch). */
  readonly acknowledgedAt: number | undefined;
}

export interface StoredRecord {
  readonly seq: number;
  readonly id: string;
}

export interface Verdict {
  readonly sent: number;
  readonly acknowledged: number;
  readonly failed: number;
  readonly unanswered: number;
  /** Distinct sequence numbers found in the store. */
  readonly stored: number;
  /** Acknowledged, and not stored. */
  readonly lost: number;
  /** Stored under more than one id. */
  readonly duplicated: number;
  /** Stored, though the client was told it was not written, or never sent it. */
  readonly unexpected: number;
  /** Acknowledged and stored, but under another id than the 202 gave. */
  readonly wrongId: number;
  /** Attempts beyond the first, across all sequence numbers. */
  readonly retries: number;
  /** A few sequence numbers of each anomaly, as evidence to look up. */
  readonly examples: { readonly lost: readonly number[]; readonly duplicated: readonly number[]; readonly unexpected: readonly number[]; readonly wrongId: readonly number[] };
}

const EXAMPLES = 10;

export function check(sent: readonly SentRecord[], stored: readonly StoredRecord[]): Verdict {
  const idsBySeq = new Map<number, Set<string>>();
  for (const { seq, id } of stored) {
    const ids = idsBySeq.get(seq) ?? new Set<string>();
    ids.add(id);
    idsBySeq.set(seq, ids);
  }
  const bySeq = new Map(sent.map((record) => [record.seq, record]));
  const lost: number[] = [];
  const wrongId: number[] = [];
  let retries = 0;
  const counts = { acknowledged: 0, failed: 0, unanswered: 0 };
  for (const record of sent) {
    counts[record.outcome] += 1;
    retries += record.attempts - 1;
    if (record.outcome !== 'acknowledged') continue;
    const ids = idsBySeq.get(record.seq);
    if (ids === undefined) lost.push(record.seq);
    else if (record.id !== undefined && !ids.has(record.id)) wrongId.push(record.seq);
  }
  const duplicated: number[] = [];
  const unexpected: number[] = [];
  for (const [seq, ids] of idsBySeq) {
    if (ids.size > 1) duplicated.push(seq);
    const outcome = bySeq.get(seq)?.outcome;
    if (outcome === undefined || outcome === 'failed') unexpected.push(seq);
  }
  const sample = (seqs: number[]) => seqs.sort((a, b) => a - b).slice(0, EXAMPLES);
  return {
    sent: sent.length,
    ...counts,
    stored: idsBySeq.size,
    lost: lost.length,
    duplicated: duplicated.length,
    unexpected: unexpected.length,
    wrongId: wrongId.length,
    retries,
    examples: { lost: sample(lost), duplicated: sample(duplicated), unexpected: sample(unexpected), wrongId: sample(wrongId) },
  };
}

/** Milliseconds from `healedAt` to the first 202 that arrived after it; undefined when none did. */
export function firstAcknowledgementAfter(sent: readonly SentRecord[], healedAt: number): number | undefined {
  let first: number | undefined;
  for (const { acknowledgedAt } of sent) {
    if (acknowledgedAt !== undefined && acknowledgedAt >= healedAt && (first === undefined || acknowledgedAt < first)) first = acknowledgedAt;
  }
  return first === undefined ? undefined : first - healedAt;
}
