export * from './env.js';
export { loggerOptions, REDACTED_PATHS } from './logger.js';
export { runService, type RunningService, type ServiceMain } from './service.js';
export { servedPipelinesGauge, serviceRegistry, type ServedPipeline } from './metrics.js';
