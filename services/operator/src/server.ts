import { runService } from '@docpipe/runtime';
import { loadConfig } from './config.js';
import { defaultKubeConfig } from './kube.js';
import { startOperator } from './operator.js';

// On SIGTERM: finish the reconciles in flight, hand the Lease back (the other replica takes over
// at once), close the probe server. A second signal or 10 s later, exit anyway: a reconcile cut
// short is done again by the next leader.
await runService({
  part: 'operator',
  loadConfig,
  graceMs: () => 10_000,
  start: (config, log) => startOperator(config, { kubeConfig: defaultKubeConfig(), log }),
});
