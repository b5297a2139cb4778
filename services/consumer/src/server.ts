import { runService } from '@docpipe/runtime';
import { startConsumerService } from './app.js';
import { loadConfig } from './config.js';

// On SIGTERM/SIGINT the chunks in hand finish and are committed, then the member leaves the group.
// A stop that outlasts its own give-up time, or a second signal, exits at once: what is not
// committed is replayed after the restart, nothing is lost.
await runService({
  part: 'consumer',
  loadConfig,
  graceMs: (config) => config.stopTimeoutMs + 5_000,
  start: (config, log) => startConsumerService(config, log),
});
