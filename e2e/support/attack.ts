import { createHmac, createPrivateKey, generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { connect } from 'node:net';
import { expect } from 'vitest';

// What the attack suite (e2e/attack.int.test.ts) builds its hostile requests from: tokens crafted by
// hand (jose would refuse to write most of them), JSON texts no JSON.stringify produces, a raw
// socket for what fetch would not send, and the checks every answer is held to.

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  readonly body: any;
}

export interface CallOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
}

export async function call(url: string, { method = 'POST', headers = {}, body }: CallOptions = {}): Promise<Answer> {
  const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

export interface DetailMatch {
  readonly field?: string | RegExp;
  readonly reason?: string | RegExp;
}

const matcher = (value: string | RegExp) => (typeof value === 'string' ? value : expect.stringMatching(value));

/**
 * The one error shape of the API (services/ingest/src/lib/errors.ts): JSON `{error, message,
 * details?}`, `error` the status text, `details` a list of `{field, reason}`; with `detail`, one of
 * them must match, so a case is refused for the reason it tests and not by accident.
 */
export function expectError(answer: Answer, status: number, detail?: DetailMatch): void {
  const context = `${answer.status} ${answer.text.slice(0, 600)}`;
  expect(answer.status, context).toBe(status);
  expect(answer.headers.get('content-type') ?? '', context).toMatch(/^application\/json/);
  expect(answer.body, context).toBeTypeOf('object');
  expect(answer.body, context).not.toBeNull();
  expect(Object.keys(answer.body).filter((key) => !['error', 'message', 'details'].includes(key)), context).toEqual([]);
  expect(answer.body.error, context).toBe(STATUS_CODES[status]);
  expect(answer.body.message, context).toBeTypeOf('string');
  if (answer.body.details !== undefined) {
    expect(Array.isArray(answer.body.details), context).toBe(true);
    for (const entry of answer.body.details) {
      expect(Object.keys(entry).sort(), context).toEqual(['field', 'reason']);
      expect(entry.field, context).toBeTypeOf('string');
      expect(entry.reason, context).toBeTypeOf('string');
    }
  }
  if (detail) {
    const wanted = {
      ...(detail.field === undefined ? {} : { field: matcher(detail.field) }),
      ...(detail.reason === undefined ? {} : { reason: matcher(detail.reason) }),
    };
    expect(answer.body.details, context).toEqual(expect.arrayContaining([expect.objectContaining(wanted)]));
  }
}

/** A 401 also carries the Bearer challenge (RFC 6750), on every route that takes a token. */
export function expectUnauthorized(answer: Answer, message?: string | RegExp): void {
  expectError(answer, 401);
  expect(answer.headers.get('www-authenticate') ?? '').toMatch(/^Bearer realm="docpipe"/);
  if (message !== undefined) expect(answer.body.message).toEqual(matcher(message));
}

// --- tokens ---

export interface SigningKey {
  readonly kid: string;
  readonly secret: string;
}

/** The signing key of JWT_KEYS (`kid:secret[,kid:secret…]`, the first signs). */
export function signingKey(jwtKeys: string): SigningKey {
  const first = jwtKeys.split(',')[0] as string;
  const colon = first.indexOf(':');
  return { kid: first.slice(0, colon), secret: first.slice(colon + 1) };
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** A compact JWS of any header and payload; `signature` gets the signing input. */
export function craftJwt(header: object, payload: object, signature: (input: string) => string): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${signature(input)}`;
}

export const hmacWith =
  (secret: string | Buffer, hash: 'sha256' | 'sha384' | 'sha512' = 'sha256') =>
  (input: string) =>
    createHmac(hash, secret).update(input).digest('base64url');

/** The claims ingest issues (services/ingest/README.md, Users and tokens), valid for ten minutes. */
export function claims(sub: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    role: 'user',
    iss: process.env['JWT_ISSUER'] ?? 'docpipe',
    aud: process.env['JWT_AUDIENCE'] ?? 'docpipe-api',
    sub,
    iat: now,
    exp: now + 600,
    ...overrides,
  };
}

/** The token with its payload replaced and its signature kept: what tampering in transit gives. */
export function withPayload(token: string, edit: (payload: Record<string, unknown>) => Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const edited = edit(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>);
  return `${header}.${b64url(JSON.stringify(edited))}.${signature}`;
}

/** An RSA key of the attacker's: its public half as a JWK and PEM, and RS256 signing with the private half. */
export function attackerRsaKey(): { jwk: object; publicPem: string; rs256: (input: string) => string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  return {
    jwk: publicKey.export({ format: 'jwk' }),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    rs256: (input) => rsaSign('sha256', Buffer.from(input), createPrivateKey(pem)).toString('base64url'),
  };
}

// --- JSON texts ---

/** `depth` objects inside one another around `inner`, each under the key `a`. */
export function nested(depth: number, inner: unknown): unknown {
  let value = inner;
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
}

/** The text `{"a":{"a":…}}` of `levels` objects, built as text: JSON.stringify recurses. */
export function deepObjectText(levels: number): string {
  return `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
}

export function deepArrayText(levels: number): string {
  return `${'['.repeat(levels)}${']'.repeat(levels)}`;
}

/** An object text with `count` members, the key `k<i>` each (`short`: the empty key, repeated). */
export function manyKeysText(count: number, short = false): string {
  return `{${Array.from({ length: count }, (_, i) => (short ? '"":0' : `"k${i}":0`)).join(',')}}`;
}

/** The text of `doc` with `"member": value` added verbatim (a key or value JSON.stringify would not write). */
export function withRawMember(doc: Record<string, unknown>, member: string): string {
  return `${JSON.stringify(doc).slice(0, -1)},${member}}`;
}

// --- raw HTTP ---

export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly text: string;
}

/**
 * One request written to a socket as it is and the answer read to the end: for a request fetch
 * would not send, or an answer the server writes before it closes the connection.
 */
export async function rawRequest(port: number, request: string): Promise<RawAnswer> {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => socket.write(request));
    socket.once('close', () => resolve());
    socket.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
  });
  const text = Buffer.concat(chunks).toString('utf8');
  const [head = '', ...rest] = text.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, text: rest.join('\r\n\r\n') };
}

/** A raw answer as an Answer, to hold it to the same checks. */
export function asAnswer(raw: RawAnswer): Answer {
  let body: unknown;
  try {
    body = JSON.parse(raw.text);
  } catch {
    body = undefined;
  }
  return { status: raw.status, headers: new Headers(raw.headers), text: raw.text, body };
}
