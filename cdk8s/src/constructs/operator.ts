// The Docpipe operator: two replicas that elect a leader, the least RBAC its reconcile needs,
// the flows it needs (the API server, and the replicas whose served revisions it reads), and its
// metrics scraped.
import { API_GROUP } from '@docpipe/pipeline';
import { PORT_NAMES, PORTS } from '@docpipe/contract';
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { k8s } from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import * as prom from '../../imports/monitoring.coreos.com.js';
import type { EnvironmentConfig, ResourceSpec } from '../config.js';
import { RELEASE_LABEL } from '../monitoring/monitoring.js';
import { envVariables, type Env } from './app.js';
import { APP_USER, DisruptionBudget, appImage, partLabels, podSecurityContext, pullPolicy, resources, restrictedSecurityContext, tmpVolume } from './common.js';
import { AllowPolicy, cidrFlows, prometheusPeer, type Labels } from './network.js';
import { PIPELINE_PLURAL } from './pipeline-crd.js';

export interface OperatorProps {
  readonly env: EnvironmentConfig;
  /** In this order: a value may use $(NAME) of a variable listed before it. */
  readonly variables: [string, Env][];
  /** The pods whose /metrics it reads to tell which revision each serves, with their ports. */
  readonly observes: readonly { readonly pods: Labels; readonly port: number }[];
  /**
   * Replicas; one leads, the others wait to take over.
   * @default 2
   */
  readonly replicas?: number;
  /** @default 50m-500m CPU, 192-384 MiB */
  readonly resources?: ResourceSpec;
}

const rule = (apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]): k8s.PolicyRule => ({
  apiGroups,
  resources,
  verbs,
  ...(resourceNames ? { resourceNames } : {}),
});

/**
 * What the operator may do, all of it in its own namespace (a Role: it watches only there). It
 * needs no cluster-scoped verb at all: the CRD is installed by the manifests, not by the operator,
 * and it reads no Node, Namespace or other cluster object.
 */
export function operatorRules(leaseName: string): k8s.PolicyRule[] {
  // Children are applied (server-side apply is a PATCH, and one that creates the object needs
  // create as well), watched to put back what someone deleted, and deleted when the spec no
  // longer wants them. No get: the informers' lists and the apply responses tell it everything.
  const children = ['create', 'list', 'watch', 'patch', 'delete'];
  return [
    // Its own resource: watched, and applied to add and remove the finalizer.
    rule([API_GROUP], [PIPELINE_PLURAL], ['list', 'watch', 'patch']),
    rule([API_GROUP], [`${PIPELINE_PLURAL}/status`], ['patch']),
    // Owner references with blockOwnerDeletion need update on the owner's finalizers.
    rule([API_GROUP], [`${PIPELINE_PLURAL}/finalizers`], ['update']),
    rule(['kafka.strimzi.io'], ['kafkatopics', 'kafkausers'], children),
    rule([''], ['configmaps', 'services'], children),
    rule(['apps'], ['deployments'], children),
    rule(['policy'], ['poddisruptionbudgets'], children),
    rule(['networking.k8s.io'], ['networkpolicies'], children),
    rule(['keda.sh'], ['scaledobjects', 'triggerauthentications'], children),
    rule(['monitoring.coreos.com'], ['prometheusrules'], children),
    // Leader election: create cannot be limited to a name, the rest is.
    rule(['coordination.k8s.io'], ['leases'], ['create']),
    rule(['coordination.k8s.io'], ['leases'], ['get', 'update'], [leaseName]),
    // Events tell a person what a deletionPolicy did with the collections; a repeated one is counted up.
    rule([''], ['events'], ['create', 'get', 'update']),
    // The ready replicas of ingest and of each consumer, and their addresses, whose /metrics say
    // which revision they serve.
    rule([''], ['pods'], ['list']),
  ];
}

export class Operator extends Construct {
  public readonly labels: Labels;
  public readonly serviceAccountName = 'docpipe-operator';
  public readonly leaseName = 'docpipe-operator';
  constructor(scope: Construct, id: string, props: OperatorProps) {
    super(scope, id);
    const replicas = props.replicas ?? 2;
    if (replicas < 1) throw new Error('the operator needs at least one replica');
    const port = PORTS.operatorHttp;
    this.labels = partLabels('operator', 'controller');

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: this.serviceAccountName, labels: this.labels } });
    new k8s.KubeRole(this, 'Role', { metadata: { name: 'docpipe-operator', labels: this.labels }, rules: operatorRules(this.leaseName) });
    new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: { name: 'docpipe-operator', labels: this.labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'docpipe-operator' },
      subjects: [{ kind: 'ServiceAccount', name: this.serviceAccountName }],
    });

    const deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: 'operator', labels: this.labels },
      replicas,
      select: false,
      podMetadata: { labels: this.labels },
      serviceAccount: kplus.ServiceAccount.fromServiceAccountName(this, 'ServiceAccountRef', this.serviceAccountName),
      // The one workload that talks to the API server.
      automountServiceAccountToken: true,
      securityContext: podSecurityContext(APP_USER),
      // Time to finish a reconcile and hand the Lease back.
      terminationGracePeriod: Duration.seconds(30),
      strategy: kplus.DeploymentStrategy.rollingUpdate({ maxSurge: kplus.PercentOrAbsolute.absolute(1), maxUnavailable: kplus.PercentOrAbsolute.absolute(0) }),
    });
    deployment.select(kplus.LabelSelector.of({ labels: this.labels }));
    deployment.scheduling.spread({ topology: kplus.Topology.HOSTNAME, weight: 100 });
    const tmp = tmpVolume(this);
    const container = deployment.addContainer({
      name: 'operator',
      image: appImage(props.env, 'operator'),
      imagePullPolicy: pullPolicy(props.env),
      ports: [{ name: PORT_NAMES.operatorHttp, number: port }],
      envVariables: envVariables(this, [['PORT', String(port)], ['LEASE_NAME', this.leaseName], ...props.variables]),
      securityContext: restrictedSecurityContext(APP_USER),
      resources: resources(props.resources ?? { cpuRequestMillis: 50, cpuLimitMillis: 500, memoryRequestMiB: 192, memoryLimitMiB: 384 }),
      startup: kplus.Probe.fromHttpGet('/healthz', { port, periodSeconds: Duration.seconds(2), failureThreshold: 30 }),
      liveness: kplus.Probe.fromHttpGet('/healthz', { port, periodSeconds: Duration.seconds(10), failureThreshold: 3 }),
      // Not ready while the API server does not answer its Lease calls.
      readiness: kplus.Probe.fromHttpGet('/readyz', { port, periodSeconds: Duration.seconds(5), failureThreshold: 2 }),
    });
    container.mount('/tmp', tmp);
    new DisruptionBudget(this, 'Pdb', { name: 'operator', selector: this.labels });

    const metrics = new kplus.Service(this, 'MetricsService', {
      metadata: { name: 'operator-metrics', labels: this.labels },
      clusterIP: 'None',
      ports: [{ name: PORT_NAMES.operatorHttp, port, targetPort: port }],
    });
    for (const [key, value] of Object.entries(this.labels)) metrics.selectLabel(key, value);
    new prom.ServiceMonitor(this, 'ServiceMonitor', {
      metadata: { name: 'operator', labels: RELEASE_LABEL },
      spec: { selector: { matchLabels: this.labels }, endpoints: [{ port: PORT_NAMES.operatorHttp, path: '/metrics', interval: '15s' }] },
    });

    new AllowPolicy(this, 'Policy', {
      name: 'operator',
      podSelector: this.labels,
      ingress: [{ peers: [prometheusPeer], ports: [{ port }] }],
      // The API server, where the environment says it listens: no pod selector names it.
      egress: [...cidrFlows(props.env.kubernetesApi), ...props.observes.map((o) => ({ peers: [{ pods: o.pods }], ports: [{ port: o.port }] }))],
    });
  }
}
