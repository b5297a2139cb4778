/** A kind of object the operator renders for a pipeline: what it lists, watches and prunes. */
export interface ChildKind {
  readonly apiVersion: string;
  readonly kind: string;
  /** The resource name in the API path. */
  readonly plural: string;
}

/**
 * Every kind PipelineChildren can render, whatever a spec enables: a kind missing here would
 * never be pruned (a unit test renders every option and checks the list covers it).
 */
export const CHILD_KINDS: readonly ChildKind[] = [
  { apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaTopic', plural: 'kafkatopics' },
  { apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaUser', plural: 'kafkausers' },
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps' },
  { apiVersion: 'v1', kind: 'Service', plural: 'services' },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', plural: 'networkpolicies' },
  { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', plural: 'scaledobjects' },
  { apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', plural: 'triggerauthentications' },
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', plural: 'prometheusrules' },
];

/** The kinds of the catalog, which the operator keeps for all pipelines together. */
export const CATALOG_KINDS: readonly ChildKind[] = CHILD_KINDS.filter((k) => k.kind === 'ConfigMap' || k.kind === 'KafkaUser');

/** The kinds whose readiness another controller reports (Strimzi), and that Ready waits for. */
export const KAFKA_KINDS = new Set(['KafkaTopic', 'KafkaUser']);

/** The path of a kind's collection in a namespace, as a watch takes it. */
export function collectionPath(kind: ChildKind, namespace: string): string {
  const base = kind.apiVersion.includes('/') ? `/apis/${kind.apiVersion}` : `/api/${kind.apiVersion}`;
  return `${base}/namespaces/${namespace}/${kind.plural}`;
}
