import type { LoggerOptions } from 'pino';

/**
 * Paths that may hold secrets. Redaction happens in the logger so that no call site can leak a
 * password, a token or a key by logging a whole object.
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'access_token',
  '*.access_token',
  'token',
  '*.token',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'sasl',
  '*.sasl',
  'JWT_KEYS',
  '*.JWT_KEYS',
  'DATABASE_URL',
  '*.DATABASE_URL',
  'MONGODB_URI',
  '*.MONGODB_URI',
];

/** pino options shared by every service: JSON lines, ISO time, the part name, secrets redacted. */
export function loggerOptions(part: string, level: string): LoggerOptions {
  return {
    name: part,
    level,
    base: { service: part },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
}
