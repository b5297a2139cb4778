import { webcrypto } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWSHeaderParameters } from 'jose';
import type { JwtKey } from '../config.js';

/** What a token lets its bearer do: `admin` may also replay rejected documents. */
export type Role = 'admin' | 'user';

/** Who a valid token speaks for. */
export interface Principal {
  /** The user id. */
  readonly subject: string;
  readonly role: Role;
}

/** Why a bearer token was refused; the message is safe to show the client. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

export interface TokenServiceOptions {
  readonly keys: readonly [JwtKey, ...JwtKey[]];
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
  /** Clock skew tolerated on exp, iat and nbf. @default 5 */
  readonly clockToleranceSeconds?: number;
}

const ALGORITHM = 'HS256';
const DEFAULT_CLOCK_TOLERANCE_SECONDS = 5;
/** Distinct tokens remembered as verified; clients reuse one token for many requests. */
const VERIFIED_CACHE_SIZE = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function importHmacKey(secret: Uint8Array): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

/**
 * Issues and checks the API's access tokens. The algorithm is pinned to HS256 (no alg=none, no
 * RS/HS confusion) and the key is picked by the header's kid, so JWT_KEYS can rotate: the first
 * key signs, every listed key verifies.
 */
export class TokenService {
  readonly #signingKid: string;
  readonly #signingKey: webcrypto.CryptoKey;
  readonly #verifyingKeys: ReadonlyMap<string, webcrypto.CryptoKey>;
  readonly #options: TokenServiceOptions;
  readonly #clockTolerance: number;
  /**
   * Tokens already verified, by their full text (signature included), with their principal and exp.
   * Verifying costs an HMAC and JSON parsing on every document request; a token that verified once
   * stays valid until exp, as keys and claims checks only change with a restart.
   */
  readonly #verified = new Map<string, { readonly principal: Principal; readonly exp: number }>();

  private constructor(options: TokenServiceOptions, keys: ReadonlyMap<string, webcrypto.CryptoKey>) {
    this.#options = options;
    this.#clockTolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
    this.#signingKid = options.keys[0].kid;
    this.#signingKey = keys.get(this.#signingKid) as webcrypto.CryptoKey;
    this.#verifyingKeys = keys;
  }

  /** Imports the keys once, so no request pays for it. */
  static async create(options: TokenServiceOptions): Promise<TokenService> {
    const imported = await Promise.all(options.keys.map(async (k) => [k.kid, await importHmacKey(k.secret)] as const));
    return new TokenService(options, new Map(imported));
  }

  get ttlSeconds(): number {
    return this.#options.ttlSeconds;
  }

  /** The role is fixed for the token's lifetime: a change of ADMIN_USERNAMES applies to tokens issued after it. */
  sign(subject: string, role: Role = 'user'): Promise<string> {
    return new SignJWT({ role })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', kid: this.#signingKid })
      .setIssuer(this.#options.issuer)
      .setAudience(this.#options.audience)
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime(`${this.#options.ttlSeconds}s`)
      .sign(this.#signingKey);
  }

  /** Returns who the token speaks for, or throws InvalidTokenError. */
  async verify(token: string): Promise<Principal> {
    const known = this.#verified.get(token);
    if (known && known.exp + this.#clockTolerance >= Date.now() / 1000) return known.principal;
    try {
      const { payload } = await jwtVerify(token, this.#keyFor, {
        algorithms: [ALGORITHM],
        issuer: this.#options.issuer,
        audience: this.#options.audience,
        requiredClaims: ['exp', 'iat', 'sub'],
        clockTolerance: this.#clockTolerance,
      });
      if (typeof payload.sub !== 'string' || !UUID.test(payload.sub)) throw new InvalidTokenError('the token subject is not a user id');
      // Anything but an explicit admin role, tokens issued before roles existed included, is a user.
      const principal: Principal = { subject: payload.sub, role: payload['role'] === 'admin' ? 'admin' : 'user' };
      this.#remember(token, principal, payload.exp as number);
      return principal;
    } catch (error) {
      this.#verified.delete(token);
      throw describe(error);
    }
  }

  #remember(token: string, principal: Principal, exp: number): void {
    // Oldest first out: a Map iterates in insertion order.
    if (this.#verified.size >= VERIFIED_CACHE_SIZE) this.#verified.delete(this.#verified.keys().next().value as string);
    this.#verified.set(token, { principal, exp });
  }

  readonly #keyFor = (header: JWSHeaderParameters): webcrypto.CryptoKey => {
    const key = header.kid === undefined ? undefined : this.#verifyingKeys.get(header.kid);
    if (!key) throw new InvalidTokenError('the token was signed with an unknown key');
    return key;
  };
}

function describe(error: unknown): InvalidTokenError {
  if (error instanceof InvalidTokenError) return error;
  if (error instanceof errors.JWTExpired) return new InvalidTokenError('the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) return new InvalidTokenError(`the token's ${error.claim} claim is invalid`);
  if (error instanceof errors.JOSEAlgNotAllowed) return new InvalidTokenError('the token algorithm is not allowed');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new InvalidTokenError('the token signature is invalid');
  return new InvalidTokenError('the token is malformed');
}
