import { ConfigError, loggerOptions } from '@docpipe/runtime';
import closeWithGrace from 'close-with-grace';
import pino from 'pino';
import { loadConfig } from './config.js';
import { defaultKubeConfig } from './kube.js';
import { startOperator } from './operator.js';

function configOrExit() {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`operator: ${error.message}\n`);
    process.exit(1);
  }
}

const config = configOrExit();
const log = pino(loggerOptions('operator', config.logLevel));

let operator;
try {
  operator = await startOperator(config, { kubeConfig: defaultKubeConfig(), log });
} catch (error) {
  log.fatal({ err: error }, `operator failed to start: ${(error as Error).message}`);
  process.exit(1);
}

// On SIGTERM: finish the reconciles in flight, hand the Lease back (the other replica takes over
// at once), close the probe server. A second signal or 10 s later, exit anyway: a reconcile cut
// short is done again by the next leader.
closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) log.error({ err }, 'closing after an unexpected error');
  else log.info({ signal }, 'closing');
  await operator.stop();
});
