import { App, Testing, type Chart } from 'cdk8s';
import { buildCharts } from '../../src/charts.js';
import { environments, type EnvironmentConfig } from '../../src/config.js';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  [key: string]: any;
}

export const envNames = Object.keys(environments) as EnvironmentConfig['name'][];

/** Every chart of an environment, synthesized in memory. */
export function synthCharts(env: EnvironmentConfig): { chart: Chart; manifests: Manifest[] }[] {
  const app: App = Testing.app();
  return buildCharts(app, env).map((chart) => ({ chart, manifests: Testing.synth(chart) as Manifest[] }));
}

export function synthManifests(env: EnvironmentConfig): Manifest[] {
  return synthCharts(env).flatMap((c) => c.manifests);
}

export const id = (m: Manifest) => `${m.kind}/${m.metadata.name ?? '<unnamed>'}`;

/** The pod spec of a workload, wherever its kind keeps it. */
export function podSpec(m: Manifest): any | undefined {
  switch (m.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
      return m.spec?.template?.spec;
    case 'CronJob':
      return m.spec?.jobTemplate?.spec?.template?.spec;
    case 'Pod':
      return m.spec;
    default:
      return undefined;
  }
}

export function podLabels(m: Manifest): Record<string, string> {
  if (m.kind === 'CronJob') return m.spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {};
  if (m.kind === 'Pod') return m.metadata.labels ?? {};
  return m.spec?.template?.metadata?.labels ?? {};
}

/** Kinds with no namespace; every other object of the charts lives in one. */
export const CLUSTER_SCOPED = new Set(['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding']);

/**
 * Service addresses that a controller in another namespace dials, where a short name would be
 * resolved against that namespace: KEDA's scalers run in the keda-operator pod. Each names a
 * Service of the object's own namespace.
 */
export function crossNamespaceAddresses(manifests: Manifest[]): { where: string; from: string; address: string; namespace: string }[] {
  return manifests
    .filter((m) => m.kind === 'ScaledObject')
    .flatMap((m) =>
      (m.spec?.triggers ?? [])
        .filter((t: any) => t.type === 'kafka')
        .flatMap((t: any, i: number) =>
          String(t.metadata.bootstrapServers)
            .split(',')
            .map((address) => ({ where: `${id(m)} trigger ${i}`, from: 'keda', address: address.trim(), namespace: m.metadata.namespace! })),
        ),
    );
}
