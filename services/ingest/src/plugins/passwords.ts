import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { PasswordHasher } from '../lib/password-hasher.js';

declare module 'fastify' {
  interface FastifyInstance {
    passwords: PasswordHasher;
  }
}

/** argon2id with bounded concurrency; the dummy hash for unknown users is computed here, at boot. */
export default fp(
  async function passwords(app: FastifyInstance) {
    const { concurrency, queueMax } = app.config.hashing;
    const rejections = app.metrics.hashQueueRejections;
    app.decorate('passwords', await PasswordHasher.create({ concurrency, queueMax, onQueueFull: () => rejections.inc() }));
  },
  { name: 'passwords', dependencies: ['config', 'metrics'] },
);
