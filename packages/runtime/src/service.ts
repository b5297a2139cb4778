import closeWithGrace from 'close-with-grace';
import pino, { type Logger } from 'pino';
import { ConfigError } from './env.js';
import { loggerOptions } from './logger.js';

/** What a started service gives back: how to stop it gracefully. */
export interface RunningService {
  stop(): Promise<void>;
}

export interface ServiceMain<C extends { readonly logLevel: string }> {
  /** The part's name: the prefix of its messages and the `service` of its logs. */
  readonly part: string;
  /** The part's config.ts loader; a ConfigError is printed and the process exits 1. */
  readonly loadConfig: () => C;
  /** Connects and serves; a failure is logged as fatal and the process exits 1. */
  readonly start: (config: C, log: Logger) => Promise<RunningService>;
  /**
   * How long a stop may take after SIGTERM or SIGINT before the process exits anyway; a second
   * signal exits at once. Work cut short is not lost: each part replays what it had not finished.
   */
  readonly graceMs: (config: C) => number;
}

/**
 * The one way a Docpipe service boots and shuts down: the config validated first (a bad variable
 * is named and the process exits before touching anything), a structured logger with the secrets
 * redacted, then the service; on a signal, its graceful stop.
 */
export async function runService<C extends { readonly logLevel: string }>(main: ServiceMain<C>): Promise<void> {
  let config: C;
  try {
    config = main.loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${main.part}: ${error.message}\n`);
    process.exit(1);
  }
  const log = pino(loggerOptions(main.part, config.logLevel));
  let service: RunningService;
  try {
    service = await main.start(config, log);
  } catch (error) {
    log.fatal({ err: error }, `${main.part} failed to start: ${(error as Error).message}`);
    process.exit(1);
  }
  closeWithGrace({ delay: main.graceMs(config) }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'closing after an unexpected error');
    else log.info({ signal }, 'closing');
    await service.stop();
    log.info('stopped');
  });
}
