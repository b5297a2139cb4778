import { ConfigError, loggerOptions } from '@docpipe/runtime';
import pino from 'pino';
import { startConsumerService } from './app.js';
import { loadConfig } from './config.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`consumer: ${error.message}\n`);
  process.exit(1);
}

const logger = pino(loggerOptions('consumer', config.logLevel));

let service;
try {
  service = await startConsumerService(config, logger);
} catch (error) {
  logger.fatal({ err: error }, `consumer failed to start: ${(error as Error).message}`);
  process.exit(1);
}

const signal = await new Promise<NodeJS.Signals>((resolve) => {
  process.once('SIGTERM', resolve).once('SIGINT', resolve);
});
// A second signal means "now": what is not committed is replayed after the restart, nothing is lost.
process.once('SIGTERM', () => process.exit(1)).once('SIGINT', () => process.exit(1));
logger.info({ signal }, 'stopping: finishing the chunks in hand');
try {
  await service.stop();
  logger.info('stopped');
} catch (error) {
  logger.error({ err: error }, `stop failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
