import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, requireStackEnv, sampleInvoice, sampleOrder, ServiceProcess, waitFor } from '@docpipe/testing';
import {
  asAnswer,
  attackerRsaKey,
  call,
  claims,
  craftJwt,
  deepArrayText,
  deepObjectText,
  expectError,
  expectUnauthorized,
  hmacWith,
  manyKeysText,
  nested,
  rawRequest,
  signingKey,
  withPayload,
  withRawMember,
  type Answer,
  type CallOptions,
} from './support/attack.js';

// Hostile input against ingest and the consumer as they run in production (their own processes,
// the real broker, store and database): every case gets the status the API documents
// (README.md, services/ingest/README.md) and the one error shape. Every malicious document carries
// the marker ATTACK <run>; valid control documents sent between the groups carry CONTROL <run>.
// At the end nothing marked ATTACK may be stored and every control must be, so a consumer that
// stored nothing at all fails the suite too.
const env = requireStackEnv(['KAFKA_BROKERS', 'DATABASE_URL', 'MONGODB_URI', 'MONGODB_DATABASE', 'JWT_KEYS', 'PORT', 'METRICS_PORT']);
const api = `http://127.0.0.1:${env.PORT}`;
const RUN = randomUUID().slice(0, 8);
const ATTACK = `ATTACK ${RUN}`;
// The rate limit's counter lives in ingest's process and this suite owns that process, so the
// suite can count every token request it makes; a window of an hour cannot roll over mid-run.
const TOKEN_LIMIT = 20;
const DOCUMENT_MAX_BYTES = 65_536;
const BATCH_MAX_BYTES = 10 * 1024 * 1024;

interface User {
  readonly owner: string;
  readonly authorization: string;
  readonly username: string;
  readonly password: string;
}

let ingest: ServiceProcess;
let consumer: ServiceProcess;
let mongo: MongoClient;
let attacker: User;
let victim: User;
let tokenRequests = 0;
/** Documents ingest answered as accepted (a retry with the same Idempotency-Key counts again). */
let acceptedByIngest = 0;
/** What must be stored at the end: the controls, by id. */
const controls = new Map<string, { collection: 'documents' | 'orders'; owner: string; description?: string }>();
let markers = 0;

const store = () => mongo.db(env.MONGODB_DATABASE);
const attackMark = () => `${ATTACK} ${(markers += 1)}`;
const controlMark = () => `CONTROL ${RUN} ${(markers += 1)}`;
const attackInvoice = (overrides: Record<string, unknown> = {}) => sampleInvoice({ Description: attackMark(), ...overrides });
const attackOrder = (overrides: Record<string, unknown> = {}) => sampleOrder({ lines: [{ sku: attackMark(), quantity: 1, unitPrice: 1 }], ...overrides });

interface Send extends Omit<CallOptions, 'body'> {
  readonly as?: User | null;
  readonly type?: string | null;
}

/** A request with the attacker's token and a JSON content type unless told otherwise; objects are sent as JSON. */
function send(path: string, body: unknown, { as = attacker, type = 'application/json', headers = {}, method = 'POST' }: Send = {}): Promise<Answer> {
  const text = body === undefined || typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  return call(`${api}${path}`, {
    method,
    headers: { ...(as ? { authorization: as.authorization } : {}), ...(type ? { 'content-type': type } : {}), ...headers },
    ...(text === undefined ? {} : { body: text }),
  });
}

const get = (path: string, options: Send = {}) => send(path, undefined, { ...options, method: 'GET', type: null });

function login(body: unknown, options: Send = {}): Promise<Answer> {
  tokenRequests += 1;
  return send('/v1/token', body, { as: null, ...options });
}

function expectAccepted(answer: Answer): string {
  expect(answer.status, answer.text).toBe(202);
  expect(Object.keys(answer.body)).toEqual(['id']);
  expect(answer.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  acceptedByIngest += 1;
  return answer.body.id as string;
}

/** A valid invoice that must be stored by the end of the suite. */
async function control(as: User = attacker, doc: Record<string, unknown> = sampleInvoice({ Description: controlMark() }), headers: Record<string, string> = {}): Promise<string> {
  const id = expectAccepted(await send('/v1/documents', doc, { as, headers }));
  controls.set(id, { collection: 'documents', owner: as.owner, description: doc['Description'] as string });
  return id;
}

/** A batch answer: its status, counts, and for each document in order its id or a reason that must be among its errors. */
function expectBatch(answer: Answer, status: 202 | 422, results: readonly ('id' | RegExp)[]): { index: number; id?: string }[] {
  expect(answer.status, answer.text).toBe(status);
  const body = answer.body as { error?: string; accepted: number; rejected: number; results: { index: number; id?: string; errors?: { field: string; reason: string }[] }[] };
  const accepted = results.filter((r) => r === 'id').length;
  expect(body.accepted).toBe(accepted);
  expect(body.rejected).toBe(results.length - accepted);
  expect(body.results.map((r) => r.index)).toEqual(results.map((_, i) => i));
  results.forEach((wanted, i) => {
    const result = body.results[i] as (typeof body.results)[number];
    if (wanted === 'id') expect(result.id, JSON.stringify(result)).toMatch(/^[0-9a-f-]{36}$/);
    else expect(result.errors, JSON.stringify(result)).toEqual(expect.arrayContaining([expect.objectContaining({ reason: expect.stringMatching(wanted) })]));
  });
  if (status === 422) {
    expect(body.error).toBe('Unprocessable Entity');
    expect(Object.keys(body).sort()).toEqual(['accepted', 'error', 'message', 'rejected', 'results']);
  } else expect(Object.keys(body).sort()).toEqual(['accepted', 'rejected', 'results']);
  acceptedByIngest += accepted;
  return body.results;
}

async function sumOfMetric(pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${api}/metrics`)).text();
  return [...text.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
}

beforeAll(async () => {
  mongo = await new MongoClient(env.MONGODB_URI).connect();
  consumer = await ServiceProcess.start('consumer', `http://127.0.0.1:${env.METRICS_PORT}/readyz`);
  ingest = await ServiceProcess.start('ingest', `${api}/readyz`, { TOKEN_RATE_LIMIT_MAX: String(TOKEN_LIMIT), TOKEN_RATE_LIMIT_WINDOW: '1h' });
  const register = async (role: string): Promise<User> => {
    const username = `${role}-${RUN}`;
    const password = randomUUID();
    tokenRequests += 1;
    return { ...(await registerUser(api, username, password)), username, password };
  };
  attacker = await register('attacker');
  victim = await register('victim');
});

afterAll(async () => {
  await ingest?.stop();
  await consumer?.stop();
  await mongo?.close();
});

describe('tokens', () => {
  const key = signingKey(env.JWT_KEYS);
  const hs256 = { alg: 'HS256', typ: 'JWT', kid: key.kid };
  const signed = (payload: object, header: object = hs256) => craftJwt(header, payload, hmacWith(key.secret));
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const withToken = (headers: Record<string, string>) => send('/v1/documents', attackInvoice(), { as: null, headers });
  const ownClaims = () => claims(attacker.owner);

  it('a token the suite signs with the server key is accepted, so the refusals below are the tampering', async () => {
    await control(attacker, sampleInvoice({ Description: controlMark() }), bearer(signed(ownClaims())));
  });

  it('no Authorization header: 401', async () => expectUnauthorized(await withToken({}), 'a bearer token is required'));
  it('another scheme (Basic): 401', async () => expectUnauthorized(await withToken({ authorization: `Basic ${Buffer.from(`${attacker.username}:${attacker.password}`).toString('base64')}` })));
  it('Bearer without a token: 401', async () => expectUnauthorized(await withToken({ authorization: 'Bearer' })));
  it('a malformed token: 401', async () => expectUnauthorized(await withToken(bearer('not.a.jwt')), 'the token is malformed'));
  it('a token with characters outside the bearer syntax: 401', async () => expectUnauthorized(await withToken({ authorization: 'Bearer {"alg":"none"}' })));

  for (const alg of ['none', 'NONE']) {
    it(`alg "${alg}" without a signature: 401`, async () => {
      const token = craftJwt({ alg, typ: 'JWT', kid: key.kid }, ownClaims(), () => '');
      expectUnauthorized(await withToken(bearer(token)));
    });
  }

  it('alg none keeping a valid HS256 signature: 401', async () => {
    const valid = signed(ownClaims());
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: key.kid })).toString('base64url')}.${valid.split('.').slice(1).join('.')}`;
    expectUnauthorized(await withToken(bearer(none)));
  });

  it('an RS256 header over an HMAC made with the server key (algorithm confusion): 401', async () => {
    expectUnauthorized(await withToken(bearer(signed(ownClaims(), { alg: 'RS256', typ: 'JWT', kid: key.kid }))), 'the token algorithm is not allowed');
  });

  it('HS512 with the server key (the algorithm is pinned to HS256): 401', async () => {
    const token = craftJwt({ alg: 'HS512', typ: 'JWT', kid: key.kid }, ownClaims(), hmacWith(key.secret, 'sha512'));
    expectUnauthorized(await withToken(bearer(token)), 'the token algorithm is not allowed');
  });

  it("RS256 signed by the attacker's key, its public key embedded as jwk and jku: 401", async () => {
    const rsa = attackerRsaKey();
    const token = craftJwt({ alg: 'RS256', typ: 'JWT', kid: key.kid, jwk: rsa.jwk, jku: 'http://127.0.0.1:1/jwks.json' }, ownClaims(), rsa.rs256);
    expectUnauthorized(await withToken(bearer(token)));
  });

  it("HS256 keyed with the attacker's RSA public key: 401", async () => {
    const token = craftJwt(hs256, ownClaims(), hmacWith(attackerRsaKey().publicPem));
    expectUnauthorized(await withToken(bearer(token)), 'the token signature is invalid');
  });

  it('forged with another secret: 401', async () => {
    const token = craftJwt(hs256, ownClaims(), hmacWith(`${key.secret}-but-not-quite-the-same-secret`));
    expectUnauthorized(await withToken(bearer(token)), 'the token signature is invalid');
  });

  it("sub changed to another user's id after signing: 401", async () => {
    const token = withPayload(attacker.authorization.slice('Bearer '.length), (p) => ({ ...p, sub: victim.owner }));
    expectUnauthorized(await withToken(bearer(token)), 'the token signature is invalid');
  });

  it('exp pushed a year out after signing: 401', async () => {
    const token = withPayload(attacker.authorization.slice('Bearer '.length), (p) => ({ ...p, exp: (p['exp'] as number) + 365 * 86_400 }));
    expectUnauthorized(await withToken(bearer(token)), 'the token signature is invalid');
  });

  it('role changed to admin after signing, on the admin-only replay route: 401', async () => {
    const token = withPayload(attacker.authorization.slice('Bearer '.length), (p) => ({ ...p, role: 'admin' }));
    expectUnauthorized(await send('/v1/pipelines/invoices/rejected/replay', {}, { as: null, headers: bearer(token) }), 'the token signature is invalid');
  });

  it('a user token on the admin-only replay route: 403', async () => {
    expectError(await send('/v1/pipelines/invoices/rejected/replay', {}), 403);
  });

  it('expired an hour ago, signed with the server key: 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    expectUnauthorized(await withToken(bearer(signed(claims(attacker.owner, { iat: now - 7200, exp: now - 3600 })))), 'the token has expired');
  });

  it('a kid the server does not know: 401', async () => {
    expectUnauthorized(await withToken(bearer(signed(ownClaims(), { ...hs256, kid: `${key.kid}-retired` }))), 'the token was signed with an unknown key');
  });

  it('no kid: 401', async () => {
    expectUnauthorized(await withToken(bearer(signed(ownClaims(), { alg: 'HS256', typ: 'JWT' }))), 'the token was signed with an unknown key');
  });

  it('a kid that is a path (../../dev/null): 401', async () => {
    expectUnauthorized(await withToken(bearer(signed(ownClaims(), { ...hs256, kid: '../../../../dev/null' }))), 'the token was signed with an unknown key');
  });

  it('another issuer: 401', async () => expectUnauthorized(await withToken(bearer(signed(claims(attacker.owner, { iss: 'evil' })))), /iss claim/));
  it('another audience: 401', async () => expectUnauthorized(await withToken(bearer(signed(claims(attacker.owner, { aud: 'other-api' })))), /aud claim/));
  it('a subject that is an operator object: 401', async () => {
    expectUnauthorized(await withToken(bearer(signed(claims(attacker.owner, { sub: '{"$ne":null}' })))), 'the token subject is not a user id');
  });
  it('no exp: 401', async () => {
    const { exp: _exp, ...forever } = ownClaims();
    expectUnauthorized(await withToken(bearer(signed(forever))), /exp claim/);
  });
  it('nbf an hour ahead: 401', async () => {
    expectUnauthorized(await withToken(bearer(signed(claims(attacker.owner, { nbf: Math.floor(Date.now() / 1000) + 3600 })))), /nbf claim/);
  });

  it('a valid token in the query string does not authenticate: 401', async () => {
    const token = attacker.authorization.slice('Bearer '.length);
    expectUnauthorized(await send(`/v1/documents?access_token=${token}`, attackInvoice(), { as: null }));
    expectUnauthorized(await get(`/v1/pipelines?access_token=${token}&token=${token}`, { as: null }));
  });

  it('a bearer token of 8 KB: 401', async () => expectUnauthorized(await withToken(bearer(`${'A'.repeat(8192)}.${'B'.repeat(64)}.${'C'.repeat(43)}`))));

  it('an Authorization header over the 16 KiB header limit: 431', async () => {
    const request =
      `POST /v1/documents HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\ncontent-type: application/json\r\n` +
      `authorization: Bearer ${'A'.repeat(20_000)}\r\ncontent-length: 2\r\n\r\n{}`;
    expectError(asAnswer(await rawRequest(Number(env.PORT), request)), 431);
  });

  it('control: a valid document with a valid token', async () => {
    await control();
  });
});

describe('bodies', () => {
  const invoiceText = (overrides: Record<string, unknown> = {}) => JSON.stringify(attackInvoice(overrides));
  const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
  const single = (body: unknown) => send('/v1/documents', body);
  const order = (body: unknown) => send('/v1/pipelines/orders/documents', body);
  const forbidden = /keys may not start with \$ or contain a dot/;

  it('malformed JSON: 400', async () => expectError(await single('{"InvoiceNo": "536365",'), 400, { field: '(body)', reason: /is not valid JSON/ }));
  it('a document followed by more text: 400', async () => expectError(await single(`${invoiceText()} {}`), 400, { field: '(body)' }));
  it('an empty body: 400', async () => expectError(await single(''), 400, { field: '(body)', reason: 'is empty' }));
  it('a byte order mark before the document: 400', async () => expectError(await single(`\uFEFF${invoiceText()}`), 400, { field: '(body)' }));
  it('an array where a document is expected: 422', async () => expectError(await single([attackInvoice()]), 422, { field: '(document)' }));
  it('a string where a document is expected: 422', async () => expectError(await single(JSON.stringify(attackMark())), 422, { field: '(document)' }));
  it('a number where a document is expected: 422', async () => expectError(await single('42'), 422, { field: '(document)' }));
  it('null where a document is expected: 422', async () => expectError(await single('null'), 422, { field: '(document)' }));

  it('one byte over DOCUMENT_MAX_BYTES: 413', async () => {
    const text = invoiceText();
    const answer = await single(`${text.slice(0, -1)}${' '.repeat(DOCUMENT_MAX_BYTES + 1 - Buffer.byteLength(text))}}`);
    expectError(answer, 413);
  });

  it('control: a valid document of exactly DOCUMENT_MAX_BYTES is taken', async () => {
    const text = JSON.stringify(sampleInvoice({ Description: controlMark() }));
    const padded = `${text.slice(0, -1)}${' '.repeat(DOCUMENT_MAX_BYTES - Buffer.byteLength(text))}}`;
    expect(Buffer.byteLength(padded)).toBe(DOCUMENT_MAX_BYTES);
    const id = expectAccepted(await single(padded));
    controls.set(id, { collection: 'documents', owner: attacker.owner, description: JSON.parse(padded).Description });
  });

  it('__proto__ at the top level: 422', async () => {
    expectError(await single(withRawMember(attackInvoice(), '"__proto__":{"isAdmin":true}')), 422, { field: '__proto__', reason: forbidden });
  });
  it('__proto__ nested in an order customer: 422', async () => {
    const text = JSON.stringify(attackOrder()).replace('"customer":{', '"customer":{"__proto__":{"isAdmin":true},');
    expectError(await order(text), 422, { field: 'customer.__proto__', reason: forbidden });
  });
  it('constructor.prototype at the top level: 422', async () => {
    expectError(await single(attackInvoice({ constructor: { prototype: { isAdmin: true } } })), 422, { field: 'constructor', reason: forbidden });
  });
  it('constructor.prototype nested in an order line: 422', async () => {
    const doc = attackOrder();
    (doc['lines'] as Record<string, unknown>[])[0]!['constructor'] = { prototype: { polluted: 1 } };
    expectError(await order(doc), 422, { field: 'lines[0].constructor', reason: forbidden });
  });

  // Depth 1 is a key of the document; depth d a key d - 1 objects down under Country, up to the
  // deepest the nesting limit lets through to the validator (64 levels, the document's own braces counted).
  for (const key of ['$where', 'a.b']) {
    for (const depth of [1, 2, 3, 16, 63]) {
      it(`the key "${key}" at depth ${depth}: 422`, async () => {
        const doc = depth === 1 ? attackInvoice({ [key]: 1 }) : attackInvoice({ Country: nested(depth - 2, { [key]: 1 }) });
        const field = depth === 1 ? key : ['Country', ...Array<string>(depth - 2).fill('a'), key].join('.');
        expectError(await single(doc), 422, { field, reason: forbidden });
      });
    }
  }

  it('an operator object as an order customer ({"$ne": null}): 422', async () => {
    expectError(await order(attackOrder({ customer: { $ne: null } })), 422, { field: 'customer.$ne', reason: forbidden });
  });
  it('a dotted key in an order line: 422', async () => {
    expectError(await order(attackOrder({ lines: [{ sku: attackMark(), quantity: 1, unitPrice: 1, 'unitPrice.$gt': 0 }] })), 422, {
      field: 'lines[0].unitPrice.$gt',
      reason: forbidden,
    });
  });
  it('NUL in a key: 422', async () => {
    const { InvoiceNo, ...rest } = attackInvoice();
    expectError(await single({ ...rest, 'Invoice\u0000No': InvoiceNo }), 422, { field: 'Invoice\u0000No', reason: 'is not a known field' });
  });
  it('NUL in a nested key: 422', async () => {
    expectError(await order(attackOrder({ customer: { id: 42, email: 'ada@example.org', 'id\u0000': 1 } })), 422, { field: 'customer.id\u0000', reason: 'is not a known field' });
  });
  it('a raw NUL byte inside a string: 400', async () => {
    expectError(await single(invoiceText({ Country: 'UnitedXKingdom' }).replace('UnitedXKingdom', 'United\u0000Kingdom')), 400, { field: '(body)' });
  });

  it('1e309 (beyond a double) as Quantity: 422', async () => {
    expectError(await single(invoiceText().replace('"Quantity":6', '"Quantity":1e309')), 422, { field: 'Quantity' });
  });
  it('-1e309 as UnitPrice: 422', async () => {
    expectError(await single(invoiceText().replace('"UnitPrice":2.55', '"UnitPrice":-1e309')), 422, { field: 'UnitPrice' });
  });
  it('-0 as CustomerID (minimum 1): 422', async () => {
    expectError(await single(invoiceText().replace('"CustomerID":17850', '"CustomerID":-0')), 422, { field: 'CustomerID' });
  });
  it('2^53 + 1 as CustomerID: 422', async () => {
    expectError(await single(invoiceText().replace('"CustomerID":17850', '"CustomerID":9007199254740993')), 422, { field: 'CustomerID' });
  });
  it('a 400-digit integer as Quantity: 422', async () => {
    expectError(await single(invoiceText().replace('"Quantity":6', `"Quantity":${'9'.repeat(400)}`)), 422, { field: 'Quantity' });
  });
  it('control: -0 is a number like any other', async () => {
    const description = controlMark();
    const id = expectAccepted(await single(JSON.stringify(sampleInvoice({ Description: description })).replace('"Quantity":6', '"Quantity":-0')));
    controls.set(id, { collection: 'documents', owner: attacker.owner, description });
  });

  it('a lone high surrogate escape (\\ud800) in a value: 422', async () => {
    expectError(await single(invoiceText({ Country: 'United Kingdom' }).replace('United Kingdom', 'United \\ud800Kingdom')), 422, {
      field: 'Country',
      reason: /lone UTF-16 surrogate/,
    });
  });
  it('a lone low surrogate escape (\\udfff) in a key: 422', async () => {
    expectError(await single(withRawMember(attackInvoice(), '"x\\udfff":1')), 422, { reason: /lone UTF-16 surrogate/ });
  });
  it('control: a surrogate pair escape is a character and is taken', async () => {
    const description = `${controlMark()} \ud83d\ude00`;
    const text = JSON.stringify(sampleInvoice({ Description: description })).replace('\ud83d\ude00', '\\ud83d\\ude00');
    const id = expectAccepted(await single(text));
    controls.set(id, { collection: 'documents', owner: attacker.owner, description });
  });
  it('a byte that is never UTF-8 (0xFF): 400', async () => {
    const text = invoiceText({ Country: 'X' });
    const at = text.indexOf('"X"') + 1;
    expectError(await single(bytes(text.slice(0, at), [0xff], text.slice(at + 1))), 400, { field: '(body)', reason: `is not valid UTF-8: byte ${at} does not start a valid sequence` });
  });
  it('an overlong encoding of "/" (0xC0 0xAF): 400', async () => {
    const [before, after] = invoiceText({ Country: 'X' }).split('"X"') as [string, string];
    expectError(await single(bytes(before, '"', [0xc0, 0xaf], '"', after)), 400, { reason: /is not valid UTF-8/ });
  });
  it('the UTF-8 bytes of a surrogate (0xED 0xA0 0x80): 400', async () => {
    const [before, after] = invoiceText({ Country: 'X' }).split('"X"') as [string, string];
    expectError(await single(bytes(before, '"', [0xed, 0xa0, 0x80], '"', after)), 400, { reason: /is not valid UTF-8/ });
  });
  it('a sequence cut short at the end of the body (0xE2 0x82): 400', async () => {
    expectError(await single(bytes(invoiceText(), [0xe2, 0x82])), 400, { reason: /is not valid UTF-8/ });
  });

  it('10,000 nested objects in a field: 422', async () => {
    const text = withRawMember(attackInvoice(), `"Extra":${deepObjectText(10_000)}`);
    expectError(await single(text), 422, { reason: 'must not nest deeper than 64 levels' });
  });
  it('10,000 nested arrays as the body: 422', async () => {
    expectError(await single(deepArrayText(10_000)), 422, { reason: 'must not nest deeper than 64 levels' });
  });
  it('65 nested levels, one over the limit: 422', async () => {
    expectError(await single(attackInvoice({ Country: nested(64, 'x') })), 422, { reason: 'must not nest deeper than 64 levels' });
  });
  it('20,000 keys in one document: 413, over DOCUMENT_MAX_BYTES', async () => {
    expectError(await single(withRawMember(attackInvoice(), `"Extra":${manyKeysText(20_000, true)}`)), 413);
  });
  it('12,000 keys in one document: 422', async () => {
    expectError(await single(withRawMember(attackInvoice(), `"Extra":${manyKeysText(12_000, true)}`)), 422, { field: '(document)', reason: 'must not hold more than 10000 keys' });
  });

  for (const field of ['_id', 'owner', 'id']) {
    it(`a client-supplied ${field}: 422`, async () => {
      const value = field === 'owner' ? victim.owner : `${ATTACK}-${field}`;
      expectError(await single(attackInvoice({ [field]: value })), 422, { field, reason: 'is not a known field' });
    });
  }
  it('a client-supplied _id and owner on an order: 422', async () => {
    const answer = await order(attackOrder({ _id: `${ATTACK}-order`, owner: victim.owner }));
    expectError(answer, 422, { field: '_id', reason: 'is not a known field' });
    expectError(answer, 422, { field: 'owner', reason: 'is not a known field' });
  });

  it('control: a valid invoice and a valid order', async () => {
    await control();
    const answer = await order(sampleOrder({ lines: [{ sku: `CONTROL-${RUN}`, quantity: 1, unitPrice: 1 }] }));
    controls.set(expectAccepted(answer), { collection: 'orders', owner: attacker.owner });
  });
});

describe('batches', () => {
  const ndjson = (lines: readonly string[], path = '/v1/documents/batch') => send(path, lines.join('\n'), { type: 'application/x-ndjson' });
  const controlLine = () => JSON.stringify(sampleInvoice({ Description: controlMark() }));
  const attackLine = (overrides: Record<string, unknown> = {}) => JSON.stringify(attackInvoice(overrides));
  const keep = (results: { index: number; id?: string }[], lines: readonly string[]) => {
    for (const { index, id } of results) {
      if (id) controls.set(id, { collection: 'documents', owner: attacker.owner, description: JSON.parse(lines[index] as string).Description });
    }
  };

  it('NDJSON with good and bad lines: 202, the good one accepted, each bad one with its reason', async () => {
    const lines = [
      controlLine(),
      '{"InvoiceNo": "536365", not json',
      attackLine({ $where: 'sleep(1000)' }),
      withRawMember(attackInvoice(), `"Extra":${deepObjectText(10_000)}`),
      attackLine().replace('"Country":"United Kingdom"', '"Country":"\\ud800"'),
      attackLine({ CustomerID: null }),
      JSON.stringify([attackInvoice()]),
      '',
      controlLine(),
    ];
    const sent = lines.filter((line) => line !== '');
    const results = expectBatch(await ndjson(lines), 202, ['id', /is not valid JSON/, /keys may not start with \$/, /nest deeper/, /lone UTF-16 surrogate/, /must not be null/, /.+/, 'id']);
    keep(results, sent);
  });

  it('a JSON array with good and bad documents: 202, partial acceptance', async () => {
    const docs = [controlLine(), withRawMember(attackInvoice(), '"__proto__":{"polluted":1}'), JSON.stringify(attackMark()), attackLine().replace('"Quantity":6', '"Quantity":1e309')];
    const results = expectBatch(await send('/v1/documents/batch', `[${docs.join(',')}]`), 202, ['id', /keys may not start with \$/, /.+/, /.+/]);
    keep(results, docs);
  });

  it('a JSON array of documents that are not objects: 422, none valid', async () => {
    expectBatch(await send('/v1/documents/batch', `[42, ${JSON.stringify(attackMark())}, null, [1]]`), 422, [/.+/, /.+/, /.+/, /.+/]);
  });

  it('a document of 12,000 keys: 422, refused before it is parsed', async () => {
    expectBatch(await send('/v1/documents/batch', `[${withRawMember(attackInvoice(), `"Extra":${manyKeysText(12_000, true)}`)}]`), 422, [/must not hold more than 10000 keys/]);
  });

  // 20,000 keys take more bytes than a document may have: refused for its size, as the single route does.
  it('a document of 20,000 keys: 413', async () => {
    const answer = await send('/v1/documents/batch', `[${withRawMember(attackInvoice(), `"Extra":${manyKeysText(20_000, true)}`)}]`);
    expectError(answer, 413);
    expect(answer.body.message).toMatch(/document 0 of the batch.*DOCUMENT_MAX_BYTES/);
  });

  it('10,001 lines, one over BATCH_MAX_DOCUMENTS: 413', async () => {
    const answer = await ndjson(Array.from({ length: 10_001 }, () => attackLine()));
    expectError(answer, 413);
    expect(answer.body.message).toMatch(/10001 documents.*BATCH_MAX_DOCUMENTS/);
  });

  it("5,001 orders, one over the pipeline's own maxBatchDocuments: 413", async () => {
    const answer = await ndjson(Array.from({ length: 5_001 }, () => JSON.stringify(attackOrder())), '/v1/pipelines/orders/documents/batch');
    expectError(answer, 413);
    expect(answer.body.message).toMatch(/spec\.ingest\.maxBatchDocuments of pipeline orders/);
  });

  // Declared, not sent: ingest answers from Content-Length before it reads the body, and a client
  // still writing 10 MiB when the answer closes the connection gets a reset instead of the answer.
  it('a body one byte over BATCH_MAX_BYTES: 413', async () => {
    const request =
      `POST /v1/documents/batch HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\nauthorization: ${attacker.authorization}\r\n` +
      `content-type: application/x-ndjson\r\ncontent-length: ${BATCH_MAX_BYTES + 1}\r\n\r\n`;
    expectError(asAnswer(await rawRequest(Number(env.PORT), request)), 413);
  });

  it('a refused document over DOCUMENT_MAX_BYTES beside a valid one: 413, the whole batch refused', async () => {
    const answer = await ndjson([attackLine(), attackLine({ Country: 'X'.repeat(DOCUMENT_MAX_BYTES) })]);
    expectError(answer, 413);
    expect(answer.body.message).toMatch(/document 1 of the batch/);
  });

  it('a line with a byte that is not UTF-8 among valid lines: 400, the whole batch refused', async () => {
    const [before, after] = attackLine({ Country: 'X' }).split('"X"') as [string, string];
    const body = Buffer.concat([Buffer.from(`${attackLine()}\n${before}"`), Buffer.from([0xfe]), Buffer.from(`"${after}\n${attackLine()}`)]);
    expectError(await send('/v1/documents/batch', body, { type: 'application/x-ndjson' }), 400, { reason: /is not valid UTF-8/ });
  });

  for (const type of ['text/plain', 'text/csv', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    it(`content type ${type}: 415`, async () => expectError(await send('/v1/documents/batch', attackLine(), { type }), 415));
  }
  it('no content type: 415', async () => expectError(await send('/v1/documents/batch', Buffer.from(attackLine()), { type: null }), 415));
  it('NDJSON on the single-document route: 415', async () => expectError(await send('/v1/documents', attackLine(), { type: 'application/x-ndjson' }), 415));
  it('a JSON batch that is an object: 400', async () => expectError(await send('/v1/documents/batch', attackLine()), 400, { field: '(body)', reason: 'must be an array' }));
  it('an empty JSON array: 400', async () => expectError(await send('/v1/documents/batch', '[]'), 400, { field: '(body)', reason: 'holds no document' }));
  it('NDJSON of blank lines only: 400', async () => expectError(await ndjson(['', '  ', '']), 400, { field: '(body)', reason: 'holds no document' }));

  it('control: a valid batch', async () => {
    const lines = [controlLine(), controlLine()];
    keep(expectBatch(await ndjson(lines), 202, ['id', 'id']), lines);
  });
});

describe('logins', () => {
  const unknownUser = () => ({ username: `nobody-${RUN}`, password: 'correct horse battery' });

  it("SQL injection as the username (' OR 1=1 --): 401", async () => {
    expectUnauthorized(await login({ username: "' OR 1=1 --", password: 'x' }), 'invalid username or password');
  });
  it("SQL injection as the password of a real user (' OR '1'='1): 401", async () => {
    expectUnauthorized(await login({ username: attacker.username, password: "' OR '1'='1" }), 'invalid username or password');
  });
  it('an operator object as the username ({"$gt": ""}): 400', async () => {
    expectError(await login({ username: { $gt: '' }, password: attacker.password }), 400, { field: 'username' });
  });
  it('an operator object as the password ({"$ne": null}): 400', async () => {
    expectError(await login({ username: attacker.username, password: { $ne: null } }), 400, { field: 'password' });
  });
  it('a password of 129 characters: 400', async () => expectError(await login({ username: attacker.username, password: 'p'.repeat(129) }), 400, { field: 'password' }));
  it('a password of 1 MB: 413', async () => expectError(await login({ username: attacker.username, password: 'p'.repeat(1_000_000) }), 413));
  it('an array as the body: 400', async () => expectError(await login([attacker.username, attacker.password]), 400));
  it('an extra role field: 400', async () => expectError(await login({ username: attacker.username, password: attacker.password, role: 'admin' }), 400));
  it('__proto__ in the body: 400', async () => {
    expectError(await login(withRawMember({ username: attacker.username, password: attacker.password }, '"__proto__":{"role":"admin"}')), 400);
  });
  it('a form body: 415', async () => expectError(await login(`username=${attacker.username}&password=x`, { type: 'application/x-www-form-urlencoded' }), 415));

  it('an unknown user and a wrong password get the same answer', async () => {
    const unknown = await login(unknownUser());
    const wrong = await login({ username: attacker.username, password: 'correct horse battery' });
    expectUnauthorized(unknown, 'invalid username or password');
    expect({ status: wrong.status, body: wrong.body, challenge: wrong.headers.get('www-authenticate') }).toEqual({
      status: unknown.status,
      body: unknown.body,
      challenge: unknown.headers.get('www-authenticate'),
    });
  });

  it("registration: SQL injection as the username: 400", async () => {
    expectError(await send('/v1/users', { username: "' OR 1=1 --", password: 'long enough password' }, { as: null }), 400, { field: 'username' });
  });
  it('registration: an operator object as the username: 400', async () => {
    expectError(await send('/v1/users', { username: { $gt: '' }, password: 'long enough password' }, { as: null }), 400, { field: 'username' });
  });
  it('registration: NUL in the username: 400', async () => {
    expectError(await send('/v1/users', { username: `evil\u0000${RUN}`, password: 'long enough password' }, { as: null }), 400, { field: 'username' });
  });
  it('registration: a password of 129 characters: 400', async () => {
    expectError(await send('/v1/users', { username: `long-${RUN}`, password: 'p'.repeat(129) }, { as: null }), 400, { field: 'password' });
  });
  it('registration: a body of 1 MB: 413', async () => {
    expectError(await send('/v1/users', { username: `huge-${RUN}`, password: 'p'.repeat(1_000_000) }, { as: null }), 413);
  });
  it('registration: __proto__ in the body: 400', async () => {
    expectError(await send('/v1/users', withRawMember({ username: `proto-${RUN}`, password: 'long enough password' }, '"__proto__":{"role":"admin"}'), { as: null }), 400);
  });

  it('the rate limit: TOKEN_RATE_LIMIT_MAX requests, then 429 with Retry-After', async () => {
    expect(tokenRequests).toBeLessThan(TOKEN_LIMIT);
    while (tokenRequests < TOKEN_LIMIT) expectUnauthorized(await login(unknownUser()));
    const limited = await login(unknownUser());
    expectError(limited, 429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('past the limit, neither the right password nor a forged X-Forwarded-For gets through: 429', async () => {
    expectError(await login({ username: attacker.username, password: attacker.password }), 429);
    expectError(await login({ username: attacker.username, password: attacker.password }, { headers: { 'x-forwarded-for': '203.0.113.7' } }), 429);
  });

  it('control: a valid document', async () => {
    await control();
  });
});

describe('idempotency keys', () => {
  const key = `attack-${RUN}`;
  let first: string;

  it('control: the first use of a key', async () => {
    first = await control(attacker, sampleInvoice({ Description: `CONTROL ${RUN} idempotent` }), { 'idempotency-key': key });
  });
  it('control: the same key with the same body gets the same id', async () => {
    expect(expectAccepted(await send('/v1/documents', sampleInvoice({ Description: `CONTROL ${RUN} idempotent` }), { headers: { 'idempotency-key': key } }))).toBe(first);
  });
  it('the same key with another body: 422', async () => {
    expectError(await send('/v1/documents', attackInvoice(), { headers: { 'idempotency-key': key } }), 422);
  });
  it('the same key with another body on the batch route: 422', async () => {
    expectError(await send('/v1/documents/batch', JSON.stringify(attackInvoice()), { type: 'application/x-ndjson', headers: { 'idempotency-key': key } }), 422);
  });

  const malformed: [string, string][] = [
    ['256 characters', 'k'.repeat(256)],
    ['a space', 'two words'],
    ['a byte outside ASCII', 'cl\u00e9'],
    ['a tab', 'tab\there'],
    ['nothing', ''],
  ];
  for (const [what, value] of malformed) {
    it(`a key of ${what}: 400`, async () => {
      expectError(await send('/v1/documents', attackInvoice(), { headers: { 'idempotency-key': value } }), 400, { field: 'idempotency-key' });
    });
  }

  it('control: a key holding SQL is only a key', async () => {
    await control(attacker, sampleInvoice({ Description: controlMark() }), { 'idempotency-key': `';DROP/**/TABLE/**/idempotency_keys;--${RUN}` });
  });
  it("control: another user's use of the key is their own (a new id, not a 422)", async () => {
    expect(await control(victim, sampleInvoice({ Description: controlMark() }), { 'idempotency-key': key })).not.toBe(first);
  });
});

describe('reading', () => {
  let theirs: string;
  const documentsOf = (id: string, as: User = attacker) => get(`/v1/documents/${id}`, { as });

  it('control: the owner reads a stored document', async () => {
    theirs = await control(victim);
    await waitFor("the victim's document stored", async () => (await store().collection('documents').countDocuments({ _id: theirs } as never)) === 1, 30_000, 100);
    const answer = await documentsOf(theirs, victim);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toMatchObject({ id: theirs, owner: victim.owner });
  });

  it("another user's document: 404, the same answer as for an id never used", async () => {
    const foreign = await documentsOf(theirs);
    expectError(foreign, 404);
    expect(foreign.body).toEqual((await documentsOf(randomUUID())).body);
  });
  it("another user's document by its id in capitals: 404", async () => expectError(await documentsOf(theirs.toUpperCase()), 404));
  it("another user's document through the other pipeline: 404", async () => expectError(await get(`/v1/pipelines/orders/documents/${theirs}`), 404));

  const malformed: [string, string][] = [
    ['not a UUID', 'not-a-uuid'],
    ['an operator object', encodeURIComponent('{"$gt":""}')],
    ['SQL', encodeURIComponent("' OR '1'='1")],
    ['a path', '..%2F..%2Fusers'],
  ];
  for (const [what, id] of malformed) {
    it(`an id that is ${what}: 400`, async () => expectError(await documentsOf(id), 400, { field: 'id', reason: 'must be a UUID' }));
  }
  // Refused while routing, before any parameter has a name: the detail names the path.
  const unroutable: [string, string, string][] = [
    ['10,000 characters long', 'a'.repeat(10_000), 'has a parameter that is too long'],
    ['broken percent-encoding', '%E0%A4%A', 'is not valid percent-encoding'],
  ];
  for (const [what, id, reason] of unroutable) {
    it(`an id that is ${what}: 400, without the path echoed`, async () => {
      const answer = await documentsOf(id);
      expectError(answer, 400, { field: '(path)', reason });
      expect(answer.text).not.toContain(id.slice(0, 50));
    });
  }

  it('the pipeline __proto__: 404', async () => expectError(await get(`/v1/pipelines/__proto__/documents/${theirs}`), 404, { field: 'pipeline' }));
  it('a document posted to the pipeline constructor: 404', async () => expectError(await send('/v1/pipelines/constructor/documents', attackInvoice()), 404, { field: 'pipeline' }));
  it('PUT over a stored document: 405 with Allow', async () => {
    const answer = await send(`/v1/documents/${theirs}`, attackInvoice(), { method: 'PUT' });
    expectError(answer, 405);
    expect(answer.headers.get('allow')).toBe('GET, HEAD');
  });

  it('control: a valid document', async () => {
    await control();
  });
});

describe('after the attacks', () => {
  it('ingest is healthy and answered no 5xx', async () => {
    for (const probe of ['/healthz', '/readyz']) expect((await fetch(`${api}${probe}`)).status).toBe(200);
    expect(await sumOfMetric(/^ingest_http_request_duration_seconds_count\{[^}]*status_code="5\d\d"[^}]*\} (\d+)$/gm)).toBe(0);
  });

  it('ingest accepted the controls and nothing else', async () => {
    expect(await sumOfMetric(/^ingest_documents_accepted_total\{[^}]*\} (\d+)$/gm)).toBe(acceptedByIngest);
  });

  it('every control is stored, with its owner and text; nothing from the attacks is', { timeout: 90_000 }, async () => {
    const ids = (collection: string) => [...controls].filter(([, c]) => c.collection === collection).map(([id]) => id);
    for (const collection of ['documents', 'orders']) {
      expect(ids(collection).length).toBeGreaterThan(0);
      await waitFor(`the controls in ${collection}`, async () => (await store().collection(collection).countDocuments({ _id: { $in: ids(collection) } } as never)) === ids(collection).length, 60_000, 250);
      const ours = await store()
        .collection<{ _id: string; owner: string; Description?: string }>(collection)
        .find({ owner: { $in: [attacker.owner, victim.owner] } })
        .toArray();
      expect(ours.map((d) => d._id).sort()).toEqual(ids(collection).sort());
      for (const d of ours) {
        const wanted = controls.get(d._id);
        expect(d.owner).toBe(wanted?.owner);
        if (wanted?.description !== undefined) expect(d.Description).toBe(wanted.description);
      }
    }
    expect(await store().collection('documents').countDocuments({ Description: { $regex: `^${ATTACK}` } })).toBe(0);
    for (const collection of ['documents', 'orders']) {
      expect(await store().collection(collection).countDocuments({ _id: { $in: ['_id', 'id', 'order'].map((f) => `${ATTACK}-${f}`) } } as never)).toBe(0);
    }
  });

  it('the query for the attack marker finds the refused attacks where they are kept', { timeout: 60_000 }, async () => {
    await waitFor('the refused attacks in rejected', async () => (await store().collection('rejected').countDocuments({ 'doc.Description': { $regex: `^${ATTACK}` } })) > 0, 45_000, 250);
  });
});
