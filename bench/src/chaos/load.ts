// The steady load of a chaos scenario: one document per client sequence number, each with its own
// Idempotency-Key, sent again with the same key after a failure or a silence, as a careful client
// does, until it is acknowledged, refused for good, or the client's patience runs out.
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import type { ClientOutcome, SentRecord } from './checker.js';

export interface LoadSettings {
  /** Base URL of ingest. */
  readonly url: string;
  /** The pipeline's documents route. */
  readonly documentsPath: string;
  /** `Bearer <token>`. */
  readonly authorization: string;
  /** New sequence numbers per second. */
  readonly rate: number;
  /** Per attempt: the wait for a connection and for the answer. */
  readonly timeoutMs: number;
  /** Keeps this run's keys apart from any earlier run's. */
  readonly run: string;
  /** The document of one sequence number; the store is searched for it afterwards. */
  readonly document: (seq: number) => unknown;
}

interface Attempting {
  seq: number;
  attempts: number;
  outcome: ClientOutcome | undefined;
  /** Some attempt may have been written (no answer, 504, another 5xx). */
  uncertain: boolean;
  id: string | undefined;
  acknowledgedAt: number | undefined;
}

// 408, 429 and 503 mean "not done, try again"; other 4xx are final.
const RETRYABLE_REFUSALS = new Set([408, 429, 503]);
const BACKOFF_FIRST_MS = 200;
const BACKOFF_MAX_MS = 2_000;

export class SteadyLoad {
  readonly #settings: LoadSettings;
  readonly #pool: Pool;
  readonly #records: Attempting[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  /** Attempts by answer: an HTTP status, `timeout`, or the socket error's code. */
  readonly answers = new Map<string, number>();
  #sending: Promise<void> | undefined;
  #stopped = false;
  #giveUpAt = Number.POSITIVE_INFINITY;

  constructor(settings: LoadSettings) {
    this.#settings = settings;
    this.#pool = new Pool(new URL(settings.url).origin, {
      connections: 256,
      connectTimeout: settings.timeoutMs,
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
    });
  }

  get acknowledged(): number {
    return this.#records.filter((r) => r.outcome === 'acknowledged').length;
  }

  get sent(): number {
    return this.#records.length;
  }

  start(): void {
    const began = performance.now();
    this.#sending = (async () => {
      for (let seq = 0; !this.#stopped; seq++) {
        const due = began + (seq * 1000) / this.#settings.rate;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        if (this.#stopped) break;
        const record: Attempting = { seq, attempts: 0, outcome: undefined, uncertain: false, id: undefined, acknowledgedAt: undefined };
        this.#records.push(record);
        const task = this.#deliver(record).finally(() => this.#inFlight.delete(task));
        this.#inFlight.add(task);
      }
    })();
  }

  /**
   * Sends no new sequence number, lets those still trying go on for `patienceMs`, then returns
   * every record with its outcome.
   */
  async finish(patienceMs: number): Promise<SentRecord[]> {
    this.#stopped = true;
    await this.#sending;
    this.#giveUpAt = Date.now() + patienceMs;
    while (this.#inFlight.size > 0) await Promise.race(this.#inFlight);
    await this.#pool.close();
    return this.#records.map(({ seq, attempts, outcome, id, acknowledgedAt }) => ({ seq, attempts, outcome: outcome ?? 'unanswered', id, acknowledgedAt }));
  }

  async #deliver(record: Attempting): Promise<void> {
    const body = JSON.stringify(this.#settings.document(record.seq));
    const key = `${this.#settings.run}:${record.seq}`;
    for (;;) {
      record.attempts += 1;
      const answer = await this.#post(body, key);
      this.answers.set(answer.label, (this.answers.get(answer.label) ?? 0) + 1);
      if (answer.status === 202) {
        record.outcome = 'acknowledged';
        record.id = answer.id;
        record.acknowledgedAt = Date.now();
        return;
      }
      // 408, 429 and 503 say nothing was written; a timeout, a lost connection, a 504 or another 5xx
      // leave it open, and so they do for every later attempt: once unknown, never "not written".
      if (answer.status === undefined || (answer.status >= 500 && answer.status !== 503)) record.uncertain = true;
      const final = answer.status !== undefined && answer.status < 500 && !RETRYABLE_REFUSALS.has(answer.status);
      record.outcome = record.uncertain ? 'unanswered' : 'failed';
      if (final) return;
      if (Date.now() >= this.#giveUpAt) return;
      await sleep(Math.min(BACKOFF_FIRST_MS * 2 ** (record.attempts - 1), BACKOFF_MAX_MS));
    }
  }

  async #post(body: string, key: string): Promise<{ status: number | undefined; id: string | undefined; label: string }> {
    try {
      const response = await this.#pool.request({
        method: 'POST',
        path: this.#settings.documentsPath,
        headers: { authorization: this.#settings.authorization, 'content-type': 'application/json', 'idempotency-key': key },
        body,
      });
      const text = await response.body.text();
      const id = response.statusCode === 202 ? (JSON.parse(text) as { id?: string }).id : undefined;
      return { status: response.statusCode, id, label: String(response.statusCode) };
    } catch (error) {
      const { code } = error as { code?: unknown };
      const label = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' ? 'timeout' : String(code ?? 'error');
      return { status: undefined, id: undefined, label };
    }
  }
}
