import { Type } from 'typebox';

export const RegistrationSchema = Type.Object(
  {
    username: Type.String({
      minLength: 3,
      maxLength: 64,
      pattern: '^[A-Za-z0-9_.-]+$',
      description: '3 to 64 characters: letters, digits, "_", "." or "-". Case-sensitive.',
      examples: ['alice'],
    }),
    password: Type.String({ minLength: 8, maxLength: 128, description: '8 to 128 characters. Stored only as an argon2id hash.' }),
  },
  { additionalProperties: false },
);

/**
 * Login takes any name and password within the registration maxima: the rules apply when a user
 * is created, so tightening them later cannot lock anybody out, and a wrong guess is always a 401.
 */
export const LoginSchema = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64, examples: ['alice'] }),
    password: Type.String({ minLength: 1, maxLength: 128 }),
  },
  { additionalProperties: false },
);

export const UserSchema = Type.Object({
  id: Type.String({ format: 'uuid', description: 'The user id; tokens carry it as sub and documents as owner.' }),
  username: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});

export const TokenSchema = Type.Object({
  access_token: Type.String({ description: 'A JWT (HS256) to send as "Authorization: Bearer <token>".' }),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the token expires.' }),
});
