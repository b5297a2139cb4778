import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../lib/errors.js';
import { InvalidTokenError, TokenService, type Role } from '../lib/tokens.js';

declare module 'fastify' {
  interface FastifyInstance {
    tokens: TokenService;
    /** onRequest hook of the authenticated routes: sets request.owner and request.role from a valid bearer token, or answers 401. */
    authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** onRequest hook after authenticate: answers 403 unless the token carries the admin role. */
    requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
  interface FastifyRequest {
    /** The authenticated user id (the token's sub); empty on routes without authentication. */
    owner: string;
    /** The role of the authenticated token. */
    role: Role;
  }
}

/** The fixed owner of every document under AUTH_MODE=none (benchmarks only). */
export const BENCHMARK_OWNER = '00000000-0000-4000-8000-00000000be4c';

const REALM = 'Bearer realm="docpipe"';
// RFC 6750 b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

function unauthorized(message: string, challenge: string): HttpError {
  return new HttpError(401, message, { headers: { 'www-authenticate': challenge } });
}

export default fp(
  async function auth(app: FastifyInstance) {
    const tokens = await TokenService.create(app.config.jwt);
    app.decorate('tokens', tokens);
    app.decorateRequest('owner', '');
    app.decorateRequest('role', 'user');
    app.decorate('requireAdmin', async (request: FastifyRequest) => {
      if (request.role !== 'admin') throw new HttpError(403, 'this needs a token with the admin role (its user must be listed in ADMIN_USERNAMES)');
    });
    if (app.config.authMode === 'none') {
      app.log.warn(
        { authMode: 'none', owner: BENCHMARK_OWNER },
        '!!! AUTH_MODE=none: AUTHENTICATION IS OFF, every document request is accepted as the benchmark user. For benchmarks only; never in a deployment !!!',
      );
      // The benchmark user is never an admin: turning authentication off grants nothing more.
      app.decorate('authenticate', async (request: FastifyRequest) => {
        request.owner = BENCHMARK_OWNER;
      });
      return;
    }
    app.decorate('authenticate', async (request: FastifyRequest) => {
      const match = BEARER.exec(request.headers.authorization ?? '');
      if (!match) throw unauthorized('a bearer token is required', REALM);
      try {
        const { subject, role } = await tokens.verify(match[1] as string);
        request.owner = subject;
        request.role = role;
      } catch (error) {
        if (!(error instanceof InvalidTokenError)) throw error;
        throw unauthorized(error.message, `${REALM}, error="invalid_token", error_description="${error.message}"`);
      }
    });
  },
  { name: 'auth', dependencies: ['config'] },
);
