import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../lib/errors.js';
import { errorResponses, TEXT_REFUSED } from '../schemas/common.js';
import { LoginSchema, TokenSchema } from '../schemas/users.js';

export default async function tokenRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { max, windowMs } = app.config.tokenRateLimit;

  app.post(
    '/v1/token',
    {
      config: { rateLimit: { max, timeWindow: windowMs } },
      schema: {
        tags: ['users'],
        summary: 'Exchange a username and password for an access token',
        description:
          `Rate-limited to ${max} requests per ${windowMs / 1000} s per client IP. The token's \`role\` claim is \`admin\` ` +
          'for the users named in ADMIN_USERNAMES (they may replay rejected documents), `user` for everyone else.',
        body: LoginSchema,
        response: {
          200: TokenSchema,
          ...errorResponses({
            400: 'Malformed request, or bytes that are not UTF-8; details say which field.',
            401: 'Wrong username or password (one answer for both).',
            415: 'The body is not application/json.',
            422: TEXT_REFUSED,
            429: 'Too many token requests from this IP.',
            503: 'Too many password operations in progress, or Postgres is unavailable.',
          }),
        },
      },
    },
    async (request) => {
      const { username, password } = request.body;
      const { rows } = await app.pg.query<{ id: string; password_hash: string }>(
        'SELECT id, password_hash FROM users WHERE username = $1',
        [username],
      );
      const user = rows[0];
      // verify() runs argon2 for unknown names too (against a dummy hash): same work, same answer.
      const matches = await app.passwords.verify(user?.password_hash, password);
      if (!user || !matches) {
        throw new HttpError(401, 'invalid username or password', { headers: { 'www-authenticate': 'Bearer realm="docpipe"' } });
      }
      const role = app.config.adminUsernames.includes(username) ? 'admin' : 'user';
      return { access_token: await app.tokens.sign(user.id, role), token_type: 'Bearer' as const, expires_in: app.tokens.ttlSeconds };
    },
  );
}
