// The shape of a Node service: a Deployment of one container on a read-only root, probed
// on /healthz and /readyz, with a PDB, and a replica count owned by an autoscaler.
import { PIPELINES_MOUNT, PORT_NAMES, type SecretKey } from '@docpipe/contract';
import { Duration, JsonPatch, ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-34';
import { posix } from 'node:path';
import type { EnvironmentConfig, ResourceSpec } from '../config.js';
import { APP_USER, DisruptionBudget, appImage, partLabels, podSecurityContext, pullPolicy, resources, restrictedSecurityContext, tmpVolume } from './common.js';

/** An environment variable: a literal, or a key of a Secret that `make up` or Strimzi creates. */
export type Env = string | SecretKey;

/** One key of a Secret, as a read-only file. */
export interface SecretFile {
  readonly secret: SecretKey;
  /** Absolute path of the file; its folder holds nothing else. */
  readonly path: string;
}

export interface AppDeploymentProps {
  readonly env: EnvironmentConfig;
  /** Part name: Deployment, label and image (docpipe/<part>). */
  readonly part: 'ingest';
  /** Port serving /healthz, /readyz and /metrics. */
  readonly port: number;
  /** In this order: a value may use $(NAME) of a variable listed before it. */
  readonly variables: [string, Env][];
  readonly resources: ResourceSpec;
  /** Containers that must finish before the service starts (migrations). @default - none */
  readonly initContainers?: kplus.ContainerProps[];
  /** Files the service reads from Secrets (a CA to trust). @default - none */
  readonly files?: readonly SecretFile[];
  /**
   * The ConfigMap of DocumentPipeline specs the service serves, mounted where PIPELINES_DIR points.
   * The operator writes it, so it may not exist yet: the folder is empty until it does, and the
   * kubelet fills it in place, as it does on every change, which the service watches.
   */
  readonly pipelines: string;
}

function envValue(scope: Construct, name: string, value: Env): kplus.EnvValue {
  if (typeof value === 'string') return kplus.EnvValue.fromValue(value);
  const secret = kplus.Secret.fromSecretName(scope, `${name}Secret`, value.name);
  return kplus.EnvValue.fromSecretValue({ secret, key: value.key });
}

export function envVariables(scope: Construct, variables: [string, Env][]): Record<string, kplus.EnvValue> {
  const seen = new Set<string>();
  for (const [name, value] of variables) {
    for (const ref of typeof value === 'string' ? value.matchAll(/\$\(([A-Z0-9_]+)\)/g) : []) {
      // Kubernetes leaves a reference to a later (or unknown) variable unexpanded, silently.
      if (!seen.has(ref[1]!)) throw new Error(`${name} refers to $(${ref[1]}), which is not defined before it`);
    }
    seen.add(name);
  }
  return Object.fromEntries(variables.map(([name, value]) => [name, envValue(scope, name, value)]));
}

export class AppDeployment extends Construct {
  public readonly deployment: kplus.Deployment;
  public readonly labels: Record<string, string>;
  constructor(scope: Construct, id: string, props: AppDeploymentProps) {
    super(scope, id);
    this.labels = partLabels(props.part, 'service');
    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: props.part, labels: this.labels },
      select: false,
      podMetadata: { labels: this.labels },
      securityContext: podSecurityContext(APP_USER),
      automountServiceAccountToken: false,
      // The service drains in-flight work on SIGTERM (flushes the producer).
      terminationGracePeriod: Duration.seconds(30),
      strategy: kplus.DeploymentStrategy.rollingUpdate({ maxSurge: kplus.PercentOrAbsolute.absolute(1), maxUnavailable: kplus.PercentOrAbsolute.absolute(0) }),
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: this.labels }));
    // Preferred, not required: replicas on different nodes when there are nodes enough, while an
    // HPA may still scale past the node count.
    this.deployment.scheduling.spread({ topology: kplus.Topology.HOSTNAME, weight: 100 });
    // The HPA owns the replica count; a count in the manifest would reset it on every apply.
    ApiObject.of(this.deployment).addJsonPatch(JsonPatch.remove('/spec/replicas'));

    const tmp = tmpVolume(this);
    for (const init of props.initContainers ?? []) {
      this.deployment.addInitContainer(init).mount('/tmp', tmp);
    }
    const container = this.deployment.addContainer({
      name: props.part,
      image: appImage(props.env, props.part),
      imagePullPolicy: pullPolicy(props.env),
      ports: [{ name: PORT_NAMES.ingestHttp, number: props.port }],
      envVariables: envVariables(this, props.variables),
      securityContext: restrictedSecurityContext(APP_USER),
      resources: resources(props.resources),
      startup: kplus.Probe.fromHttpGet('/healthz', { port: props.port, periodSeconds: Duration.seconds(2), failureThreshold: 30 }),
      liveness: kplus.Probe.fromHttpGet('/healthz', { port: props.port, periodSeconds: Duration.seconds(10), failureThreshold: 3 }),
      // /readyz fails while Kafka, Postgres or MongoDB is unreachable, taking the pod out of the Service.
      readiness: kplus.Probe.fromHttpGet('/readyz', { port: props.port, periodSeconds: Duration.seconds(5), failureThreshold: 2 }),
    });
    container.mount('/tmp', tmp);
    const specs = kplus.ConfigMap.fromConfigMapName(this, 'PipelineSpecs', props.pipelines);
    container.mount(PIPELINES_MOUNT, kplus.Volume.fromConfigMap(this, 'PipelineSpecsVolume', specs, { name: 'pipelines', optional: true }), { readOnly: true });
    const folders = new Set<string>(['/tmp', PIPELINES_MOUNT]);
    for (const file of props.files ?? []) {
      const folder = posix.dirname(file.path);
      if (!posix.isAbsolute(file.path) || folders.has(folder)) throw new Error(`${props.part}: ${file.path} needs an absolute path in a folder of its own`);
      folders.add(folder);
      const secret = kplus.Secret.fromSecretName(this, `${file.secret.name}FileSecret`, file.secret.name);
      const volume = kplus.Volume.fromSecret(this, `${file.secret.name}File`, secret, {
        name: `secret-${file.secret.name}`,
        items: { [file.secret.key]: { path: posix.basename(file.path) } },
      });
      container.mount(folder, volume, { readOnly: true });
    }

    new DisruptionBudget(this, 'Pdb', { name: props.part, selector: this.labels });
  }
}
