// The Docpipe operator, run in this process against the simulated cluster: kwok fakes the
// operator's pods, so nothing would reconcile the DocumentPipelines otherwise. It is configured by
// its own config loader from the env of its synthesized container, as in the cluster, and acts as
// its ServiceAccount, so that the synthesized Role is what it may do.
import pino from 'pino';
import { loadConfig } from '../../../services/operator/src/config.js';
import { startOperator, type RunningOperator } from '../../../services/operator/src/operator.js';
import type { SimulatedCluster } from './cluster.js';
import { podSpec, type Manifest } from './manifests.js';
import { partContainers, plainEnv, secretValues } from './service-env.js';

export function startOperatorInProcess(cluster: SimulatedCluster, manifests: Manifest[]): Promise<RunningOperator> {
  const operator = partContainers(manifests).find((c) => c.part === 'operator' && c.container.name === 'operator');
  if (!operator) throw new Error('the manifests hold no operator container');
  const config = loadConfig({
    ...plainEnv(operator.container, secretValues(manifests)),
    // Its probe and metrics server on a free loopback port instead of the pod's.
    HOST: '127.0.0.1',
    PORT: '0',
    POD_NAME: 'operator-in-process',
  });
  const deployment = manifests.find((m) => m.kind === 'Deployment' && podSpec(m)?.containers?.includes(operator.container));
  const serviceAccount = podSpec(deployment!)?.serviceAccountName;
  if (!serviceAccount) throw new Error(`${operator.where} runs as no ServiceAccount of its own`);
  const as = `system:serviceaccount:${deployment!.metadata.namespace}:${serviceAccount}`;
  return startOperator(config, { kubeConfig: cluster.kubeConfig(as), log: pino({ level: process.env.OPERATOR_TEST_LOG_LEVEL ?? 'warn' }) });
}
