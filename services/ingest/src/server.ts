import { runService } from '@docpipe/runtime';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';

// On SIGTERM/SIGINT: stop accepting, let in-flight requests finish, flush the producer, close the
// pools (fastify.close runs the plugins' onClose hooks).
await runService({
  part: 'ingest',
  loadConfig,
  graceMs: () => 10_000,
  async start(config, log) {
    const app = await buildApp(config, { log });
    await app.listen({ host: config.host, port: config.port });
    return { stop: () => app.close() };
  },
});
