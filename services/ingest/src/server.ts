import { ConfigError } from '@docpipe/runtime';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';

function configOrExit() {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`ingest: ${error.message}\n`);
    process.exit(1);
  }
}

const config = configOrExit();
const app = await buildApp(config);

// On SIGTERM/SIGINT: stop accepting, let in-flight requests finish, flush the producer, close the
// pools (fastify.close runs the plugins' onClose hooks). A second signal or 10 s later, exit anyway.
closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after an unexpected error');
  else app.log.info({ signal }, 'closing');
  await app.close();
});

try {
  await app.listen({ host: config.host, port: config.port });
} catch (error) {
  app.log.fatal({ err: error }, 'cannot listen');
  process.exit(1);
}
