import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { InvalidTokenError, TokenService } from '../../src/lib/tokens.js';
import { testConfig } from '../helpers.js';

const USER = '0190a5f0-0000-7000-8000-000000000001';
const { jwt } = testConfig();
const service = await TokenService.create(jwt);
const secretOf = (kid: string) => jwt.keys.find((k) => k.kid === kid)?.secret as Uint8Array;
const now = () => Math.floor(Date.now() / 1000);

/** A token built by hand, so each test can break exactly one thing. */
function craft(
  options: { kid?: string | undefined; alg?: string; secret?: Uint8Array; claims?: Record<string, unknown>; omit?: string[] } = {},
) {
  const claims: Record<string, unknown> = { iss: jwt.issuer, aud: jwt.audience, sub: USER, iat: now(), exp: now() + 600, ...options.claims };
  for (const name of options.omit ?? []) delete claims[name];
  const kid = 'kid' in options ? options.kid : 'k2';
  return new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? 'HS256', ...(kid === undefined ? {} : { kid }) })
    .sign(options.secret ?? secretOf('k2'));
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function refusal(token: string): Promise<string> {
  const error = await service.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidTokenError);
  return (error as Error).message;
}

describe('TokenService', () => {
  it('signs with the first key: HS256, kid, iss, aud, sub, iat, exp', async () => {
    const token = await service.sign(USER);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'k2' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: 'docpipe', aud: 'docpipe-api', sub: USER });
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(Math.abs(claims.iat! - now())).toBeLessThanOrEqual(2);
    await expect(service.verify(token)).resolves.toEqual({ subject: USER, role: 'user' });
  });

  it('verifies tokens of every listed key (rotation: the old key still verifies)', async () => {
    await expect(service.verify(await craft({ kid: 'k1', secret: secretOf('k1') }))).resolves.toEqual({ subject: USER, role: 'user' });
  });

  it('refuses an expired token', async () => {
    expect(await refusal(await craft({ claims: { iat: now() - 120, exp: now() - 60 } }))).toMatch(/expired/);
  });

  it('tolerates a few seconds of clock skew', async () => {
    await expect(service.verify(await craft({ claims: { exp: now() - 2 } }))).resolves.toEqual({ subject: USER, role: 'user' });
  });

  it('refuses a forged signature', async () => {
    const forged = await craft({ secret: new TextEncoder().encode('x'.repeat(48)) });
    expect(await refusal(forged)).toMatch(/signature/);
    const [header, payload, signature] = (await craft()).split('.') as [string, string, string];
    const tampered = `${header}.${base64url({ ...decodeJwt(`${header}.${payload}.${signature}`), sub: '0190a5f0-0000-7000-8000-000000000002' })}.${signature}`;
    expect(await refusal(tampered)).toMatch(/signature/);
  });

  it('refuses alg=none', async () => {
    const unsigned = `${base64url({ alg: 'none', kid: 'k2' })}.${base64url({ iss: jwt.issuer, aud: jwt.audience, sub: USER, iat: now(), exp: now() + 600 })}.`;
    await refusal(unsigned);
  });

  it('refuses another HMAC algorithm even with the right secret', async () => {
    expect(await refusal(await craft({ alg: 'HS512', secret: new Uint8Array(64).fill(7) }))).toMatch(/algorithm/);
  });

  it.each([
    ['aud', { aud: 'someone-else' }],
    ['iss', { iss: 'evil' }],
  ])('refuses a wrong %s', async (claim, claims) => {
    expect(await refusal(await craft({ claims }))).toContain(claim);
  });

  it.each(['sub', 'exp', 'iat'])('refuses a token without %s', async (claim) => {
    expect(await refusal(await craft({ omit: [claim] }))).toContain(claim);
  });

  it('refuses a subject that is not a user id', async () => {
    expect(await refusal(await craft({ claims: { sub: 'admin' } }))).toMatch(/subject/);
  });

  it('refuses an unknown kid and a missing kid', async () => {
    expect(await refusal(await craft({ kid: 'retired' }))).toMatch(/unknown key/);
    expect(await refusal(await craft({ kid: undefined }))).toMatch(/unknown key/);
  });

  it('refuses garbage', async () => {
    expect(await refusal('not.a.jwt')).toMatch(/malformed/);
  });

  it('carries the role it was signed with; a token without one, or with another value, is a user', async () => {
    const admin = await service.sign(USER, 'admin');
    expect(decodeJwt(admin)).toMatchObject({ role: 'admin' });
    await expect(service.verify(admin)).resolves.toEqual({ subject: USER, role: 'admin' });
    expect(decodeJwt(await service.sign(USER))).toMatchObject({ role: 'user' });
    await expect(service.verify(await craft())).resolves.toEqual({ subject: USER, role: 'user' });
    await expect(service.verify(await craft({ claims: { role: 'root' } }))).resolves.toEqual({ subject: USER, role: 'user' });
  });
});

describe('TokenService verification cache', () => {
  it('refuses a token that verified before once it has expired', async () => {
    const shortLived = await TokenService.create({ ...jwt, ttlSeconds: 60 });
    const token = await shortLived.sign(USER);
    await expect(shortLived.verify(token)).resolves.toEqual({ subject: USER, role: 'user' });
    vi.useFakeTimers({ now: Date.now() + 70_000 });
    try {
      await expect(shortLived.verify(token)).rejects.toThrow(/expired/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not let a tampered copy of a verified token through', async () => {
    const token = await service.sign(USER);
    await service.verify(token);
    const [header, , signature] = token.split('.') as [string, string, string];
    const other = `${header}.${base64url({ ...decodeJwt(token), sub: '0190a5f0-0000-7000-8000-000000000009' })}.${signature}`;
    await expect(service.verify(other)).rejects.toThrow(/signature/);
  });
});
