// The CRDs each Helm chart of `make up` installs, of those pinned in ../shared/crds (or
// $DOCPIPE_CRDS_DIR): what a replay without Helm applies in the chart's place, so that the objects
// of those kinds that come after it can be applied.
// @ts-expect-error: plain ESM helper shared with `npm run import`.
import { crdsDir, loadCrds } from '../../scripts/crds.mjs';
import { basename } from 'node:path';
import type { HelmInstall } from './make-up.js';

/** API groups of the CRDs each chart installs. */
export const CHART_CRD_GROUPS: Record<string, readonly string[]> = {
  'metrics-server': [],
  'strimzi-kafka-operator': ['kafka.strimzi.io', 'core.strimzi.io'],
  keda: ['keda.sh', 'eventing.keda.sh'],
  'kube-prometheus-stack': ['monitoring.coreos.com'],
};

export function chartCrds(helm: HelmInstall): any[] {
  const groups = CHART_CRD_GROUPS[basename(helm.chart)];
  if (!groups) throw new Error(`no CRDs known for chart ${helm.chart}: add it to cdk8s/test/support/chart-crds.ts`);
  return (loadCrds(crdsDir()) as { crd: any }[]).filter(({ crd }) => groups.includes(crd.spec.group)).map(({ crd }) => crd);
}
