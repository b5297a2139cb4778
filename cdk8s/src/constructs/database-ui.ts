// The shape of a database's web UI: one replica of a third-party image on the restricted profile,
// a ClusterIP Service to port-forward to, a PDB, and one network flow, to its database.
import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-34';
import type { ResourceSpec } from '../config.js';
import { envVariables, type Env } from './app.js';
import { APP_USER, DisruptionBudget, PINNED_IMAGE_PULL_POLICY, partLabels, podSecurityContext, resources, restrictedSecurityContext, tmpVolume } from './common.js';
import { AllowPolicy, type Labels } from './network.js';

/** The component label of the UIs' pods; the databases' policies admit them by their labels. */
const DATABASE_UI_COMPONENT = 'database-ui';

/** The labels of a UI's pods, known before the UI exists, so that its database can admit them. */
export function databaseUiLabels(name: string): Labels {
  return partLabels(name, DATABASE_UI_COMPONENT);
}

/** An image of another project, pinned to a release (never latest, never a bare name). */
const PINNED_IMAGE = /^[a-z0-9][a-z0-9./-]*:\d[\w.-]*$/;
const DNS_LABEL = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

export interface DatabaseUiProps {
  /** Deployment, Service, PDB, NetworkPolicy and the pods' name label. */
  readonly name: string;
  /** The UI's image, pinned to a release tag. */
  readonly image: string;
  /** Where it serves HTTP, in the container and in the Service. */
  readonly port: number;
  /** In this order: a value may use $(NAME) of a variable listed before it. */
  readonly variables: [string, Env][];
  /** The database's pods and port: the one flow the UI has. */
  readonly database: { readonly pods: Labels; readonly port: number };
  /**
   * How readiness is asked: a GET of a path that answers 200 without a login, or a command run in
   * the container (for a UI that asks for a login on every path). Liveness only connects: a UI slow
   * to answer must leave its Service, not be restarted.
   */
  readonly ready: { readonly path: string } | { readonly command: readonly string[] };
  /** @default 20m-200m CPU, 64-256 MiB */
  readonly resources?: ResourceSpec;
}

/**
 * Neither UI image needs a user of its own: their files are readable by every user and they write
 * only to /tmp, so they run as the uid of Docpipe's images, above the uids kube-score refuses.
 * No ingress is opened: `kubectl port-forward` reaches the pod through its own network namespace,
 * from its node, where no NetworkPolicy applies, and default-deny refuses every pod besides.
 */
export class DatabaseUi extends Construct {
  constructor(scope: Construct, id: string, props: DatabaseUiProps) {
    super(scope, id);
    if (!DNS_LABEL.test(props.name)) throw new Error(`database UI name "${props.name}" is not a DNS label`);
    if (!PINNED_IMAGE.test(props.image)) throw new Error(`database UI ${props.name}: image "${props.image}" must be pinned to a release tag`);
    if (!Number.isInteger(props.port) || props.port < 1024 || props.port > 65535) {
      throw new Error(`database UI ${props.name}: port ${props.port} must be an unprivileged port (1024-65535), as its user cannot bind others`);
    }
    const labels = databaseUiLabels(props.name);

    const deployment = new kplus.Deployment(this, 'Deployment', {
      // One replica: a person's tool, whose logins live in the memory of its one process, which a
      // second replica behind the Service would not know.
      metadata: { name: props.name, labels, annotations: { 'kube-score/ignore': 'deployment-replicas' } },
      replicas: 1,
      select: false,
      podMetadata: { labels },
      securityContext: podSecurityContext(APP_USER),
      automountServiceAccountToken: false,
      terminationGracePeriod: Duration.seconds(10),
    });
    deployment.select(kplus.LabelSelector.of({ labels }));
    const timing = { periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(5) };
    const ready =
      'path' in props.ready
        ? kplus.Probe.fromHttpGet(props.ready.path, { port: props.port, ...timing })
        : kplus.Probe.fromCommand([...props.ready.command], timing);
    const container = deployment.addContainer({
      name: props.name,
      image: props.image,
      imagePullPolicy: PINNED_IMAGE_PULL_POLICY,
      ports: [{ name: 'http', number: props.port }],
      envVariables: envVariables(this, props.variables),
      securityContext: restrictedSecurityContext(APP_USER),
      resources: resources(props.resources ?? { cpuRequestMillis: 20, cpuLimitMillis: 200, memoryRequestMiB: 64, memoryLimitMiB: 256 }),
      readiness: ready,
      liveness: kplus.Probe.fromTcpSocket({ port: props.port, periodSeconds: Duration.seconds(20) }),
    });
    container.mount('/tmp', tmpVolume(this));

    const service = new kplus.Service(this, 'Service', {
      metadata: { name: props.name, labels },
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: 'http', port: props.port, targetPort: props.port }],
    });
    for (const [key, value] of Object.entries(labels)) service.selectLabel(key, value);

    new DisruptionBudget(this, 'Pdb', { name: props.name, selector: labels });
    new AllowPolicy(this, 'Policy', {
      name: props.name,
      podSelector: labels,
      egress: [{ peers: [{ pods: props.database.pods }], ports: [{ port: props.database.port }] }],
    });
  }
}
