import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../lib/errors.js';

/**
 * Rate limiting is opt-in per route (`config.rateLimit`); only POST /v1/token uses it, keyed by
 * client IP. Counters live in this process: with N replicas a client gets up to N × the limit.
 */
export default fp(
  async function rateLimiting(app: FastifyInstance) {
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) =>
        new HttpError(context.statusCode, `too many requests, retry in ${context.after}`),
    });
  },
  { name: 'rate-limit' },
);
