import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, SECRET_A, SECRET_B } from '../../helpers.js';

const USER = '0190a5f0-0000-7000-8000-000000000001';
const now = () => Math.floor(Date.now() / 1000);
const encode = (s: string) => new TextEncoder().encode(s);
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function token(options: { kid?: string; secret?: string; claims?: Record<string, unknown>; omit?: string[] } = {}) {
  const claims: Record<string, unknown> = { iss: 'docpipe', aud: 'docpipe-api', sub: USER, iat: now(), exp: now() + 600, ...options.claims };
  for (const name of options.omit ?? []) delete claims[name];
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: options.kid ?? 'k2' }).sign(encode(options.secret ?? SECRET_A));
}

describe('bearer authentication on the document routes', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(() => app.close());

  // Malformed JSON is answered after authentication: a 400 proves the token was accepted.
  const post = (authorization?: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/documents',
      payload: '{',
      headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
    });

  const expect401 = async (authorization: string | undefined, message: RegExp) => {
    const res = await post(authorization);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'Unauthorized', message: expect.stringMatching(message) });
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="docpipe"/);
    return res;
  };

  it('accepts a valid token, and a token of the older key (rotation)', async () => {
    expect((await post(`Bearer ${await token()}`)).statusCode).toBe(400);
    expect((await post(`Bearer ${await token({ kid: 'k1', secret: SECRET_B })}`)).statusCode).toBe(400);
    expect((await post(`Bearer ${await app.tokens.sign(USER)}`)).statusCode).toBe(400);
  });

  it('answers 401 without a token, or with another scheme', async () => {
    const res = await expect401(undefined, /bearer token is required/);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="docpipe"');
    await expect401('Basic YWxpY2U6c2VjcmV0', /bearer token is required/);
    await expect401('Bearer', /bearer token is required/);
  });

  it.each([
    ['expired', () => token({ claims: { iat: now() - 7200, exp: now() - 3600 } }), /expired/],
    ['forged', () => token({ secret: 'f'.repeat(40) }), /signature/],
    ['wrong audience', () => token({ claims: { aud: 'other-api' } }), /aud/],
    ['wrong issuer', () => token({ claims: { iss: 'someone' } }), /iss/],
    ['without sub', () => token({ omit: ['sub'] }), /sub/],
    ['without exp', () => token({ omit: ['exp'] }), /exp/],
    ['unknown kid', () => token({ kid: 'k0' }), /unknown key/],
    ['alg none', async () => `${base64url({ alg: 'none', kid: 'k2' })}.${base64url({ iss: 'docpipe', aud: 'docpipe-api', sub: USER, iat: now(), exp: now() + 60 })}.`, /./],
  ])('answers 401 with invalid_token for a token %s', async (_case, make, message) => {
    const res = await expect401(`Bearer ${await make()}`, message);
    expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('protects the batch and read routes too', async () => {
    expect((await app.inject({ method: 'POST', url: '/v1/documents/batch', payload: '[]', headers: { 'content-type': 'application/json' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: `/v1/documents/${USER}` })).statusCode).toBe(401);
  });
});
