import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import { HttpError } from '../lib/errors.js';
import { errorResponses, TEXT_REFUSED } from '../schemas/common.js';
import { RegistrationSchema, UserSchema } from '../schemas/users.js';

const UNIQUE_VIOLATION = '23505';

export default async function userRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Register a user',
        body: RegistrationSchema,
        response: {
          201: UserSchema,
          ...errorResponses({
            400: 'Invalid username or password length, malformed JSON, or bytes that are not UTF-8; details say which.',
            409: 'The username is taken.',
            415: 'The body is not application/json.',
            422: TEXT_REFUSED,
            503: 'Too many password operations in progress, or Postgres is unavailable.',
          }),
        },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const passwordHash = await app.passwords.hash(password);
      const id = uuidv7();
      try {
        // The unique index decides: two registrations of one name race here and exactly one wins.
        const { rows } = await app.pg.query<{ created_at: Date }>(
          'INSERT INTO users (id, username, password_hash, created_at) VALUES ($1, $2, $3, now()) RETURNING created_at',
          [id, username, passwordHash],
        );
        return reply.code(201).send({ id, username, createdAt: (rows[0] as { created_at: Date }).created_at.toISOString() });
      } catch (error) {
        if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) throw new HttpError(409, 'this username is taken');
        throw error;
      }
    },
  );
}
