import { Pool } from 'undici';
import { sleep } from './pacing.ts';

export interface Reply {
  readonly status: number;
  /** The parsed JSON body; undefined when the body was not JSON. */
  readonly body: unknown;
  readonly retryAfter?: string | string[] | undefined;
}

export interface ApiOptions {
  /** Connections kept open: one per request in flight. */
  readonly connections: number;
  /** Longest wait for a connection, the answer's headers, or a pause within its body. */
  readonly timeoutMs: number;
  /** The documents route of the pipeline the run is for (routes.ts). */
  readonly documentsPath: string;
}

/** A refusal while logging in that no retry can fix (bad password, invalid name, wrong URL). */
export class LoginError extends Error {
  override readonly name = 'LoginError';
}

// A registration or login refused for now (429 rate limit, 503 busy hasher) is retried for this long.
const LOGIN_PATIENCE_MS = 120_000;
const JSON_HEADERS = { 'content-type': 'application/json' };

/** The few ingest endpoints a load run needs, over one keep-alive undici Pool. */
export class Api {
  readonly #pool: Pool;
  readonly #prefix: string;
  readonly #documents: string;
  readonly #headers: Record<string, string> = {};

  constructor(url: string, options: ApiOptions) {
    const base = new URL(url);
    this.#prefix = base.pathname.replace(/\/+$/, '');
    this.#documents = options.documentsPath;
    this.#pool = new Pool(base.origin, {
      connections: options.connections,
      connectTimeout: options.timeoutMs,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /** Registers the user unless the name is taken (then assumes it is ours) and takes a token, which it returns. */
  async login(username: string, password: string): Promise<string> {
    const credentials = JSON.stringify({ username, password });
    const created = await this.#patiently(() => this.#send('POST', '/v1/users', credentials, JSON_HEADERS));
    if (created.status !== 201 && created.status !== 409) throw new LoginError(`registering ${username} failed: ${describe(created)}`);
    const token = await this.#patiently(() => this.#send('POST', '/v1/token', credentials, JSON_HEADERS));
    const accessToken = (token.body as { access_token?: unknown } | undefined)?.access_token;
    if (token.status !== 200 || typeof accessToken !== 'string') throw new LoginError(`a token for ${username} was refused: ${describe(token)}`);
    this.#headers['authorization'] = `Bearer ${accessToken}`;
    return accessToken;
  }

  postDocument(json: string, idempotencyKey?: string): Promise<Reply> {
    return this.#send('POST', this.#documents, json, this.#documentHeaders('application/json', idempotencyKey));
  }

  postBatch(ndjson: string, idempotencyKey?: string): Promise<Reply> {
    return this.#send('POST', `${this.#documents}/batch`, ndjson, this.#documentHeaders('application/x-ndjson', idempotencyKey));
  }

  /** `timeoutMs` replaces the pool's timeout for this request. */
  getDocument(id: string, timeoutMs?: number): Promise<Reply> {
    return this.#send('GET', `${this.#documents}/${encodeURIComponent(id)}`, undefined, this.#headers, timeoutMs);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  #documentHeaders(contentType: string, idempotencyKey: string | undefined): Record<string, string> {
    const headers = { ...this.#headers, 'content-type': contentType };
    return idempotencyKey === undefined ? headers : { ...headers, 'idempotency-key': idempotencyKey };
  }

  async #send(method: 'GET' | 'POST', path: string, body: string | undefined, headers: Record<string, string>, timeoutMs?: number): Promise<Reply> {
    const timeouts = timeoutMs === undefined ? {} : { headersTimeout: timeoutMs, bodyTimeout: timeoutMs };
    const response = await this.#pool.request({ method, path: this.#prefix + path, headers, body: body ?? null, ...timeouts });
    const text = await response.body.text();
    return { status: response.statusCode, body: parseJson(text), retryAfter: response.headers['retry-after'] };
  }

  async #patiently(request: () => Promise<Reply>): Promise<Reply> {
    const deadline = Date.now() + LOGIN_PATIENCE_MS;
    for (;;) {
      const reply = await request();
      if ((reply.status !== 429 && reply.status !== 503) || Date.now() > deadline) return reply;
      await sleep(retryAfterMs(reply));
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The wait a 429, 503 or 504 asks for, in milliseconds. */
export function retryAfterMs(reply: Reply): number {
  const seconds = Number(reply.retryAfter);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
}

function describe(reply: Reply): string {
  const message = (reply.body as { message?: unknown } | undefined)?.message;
  return `HTTP ${reply.status}${typeof message === 'string' ? ` (${message})` : ''}`;
}
