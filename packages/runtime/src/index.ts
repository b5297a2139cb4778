export * from './env.js';
export { loggerOptions, REDACTED_PATHS } from './logger.js';
