// Pieces every workload construct shares: labels, the restricted security context, resources.
import type { Part } from '@docpipe/contract';
import { Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-34';
import { k8s } from 'cdk8s-plus-34';
import type { EnvironmentConfig, ResourceSpec } from '../config.js';

/** The label the contract (docs/architecture.md) gives every part; selectors use it. */
export const NAME_LABEL = 'app.kubernetes.io/name';

export function partLabels(name: string, component?: string): Record<string, string> {
  return {
    [NAME_LABEL]: name,
    'app.kubernetes.io/part-of': 'docpipe',
    ...(component ? { 'app.kubernetes.io/component': component } : {}),
  };
}

/**
 * The Pod Security "restricted" profile for one container. `user` must match the image's
 * numeric user so file ownership inside the image still works.
 */
export function restrictedSecurityContext(user: number, readOnlyRootFilesystem = true): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: true,
    user,
    group: user,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem,
    capabilities: { drop: [kplus.Capability.ALL] },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}

export function podSecurityContext(user: number): kplus.PodSecurityContextProps {
  return { ensureNonRoot: true, user, group: user, fsGroup: user, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH };
}

export function resources(spec: ResourceSpec): kplus.ContainerResources {
  if (spec.cpuRequestMillis > spec.cpuLimitMillis || spec.memoryRequestMiB > spec.memoryLimitMiB) {
    throw new Error(`resource requests must not exceed limits: ${JSON.stringify(spec)}`);
  }
  return {
    cpu: { request: kplus.Cpu.millis(spec.cpuRequestMillis), limit: kplus.Cpu.millis(spec.cpuLimitMillis) },
    memory: { request: Size.mebibytes(spec.memoryRequestMiB), limit: Size.mebibytes(spec.memoryLimitMiB) },
    // cdk8s-plus only writes whole GiB here.
    ephemeralStorage: { request: Size.gibibytes(1), limit: Size.gibibytes(2) },
  };
}

/**
 * kube-score (make k8s-check) wants uids above 10000. The official mongo and postgres images own
 * their files as uid 999, so their workloads opt out of that one test, and only those.
 */
export const OFFICIAL_IMAGE_UID_EXEMPTION = { 'kube-score/ignore': 'container-security-context-user-group-id' };

/** The numeric user the docpipe/* Dockerfiles create (USER 10001). */
export const APP_USER = 10001;

/** A release: x.y.z, with an optional pre-release such as -rc.1. */
const RELEASE_TAG = /^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/;

export function appImage(env: EnvironmentConfig, part: Part): string {
  if (!env.imageTag || env.imageTag === 'latest') throw new Error(`image tag for docpipe/${part} must be pinned, got "${env.imageTag}"`);
  if (env.releaseImagesOnly && !RELEASE_TAG.test(env.imageTag)) {
    throw new Error(`the ${env.name} environment runs release images only (x.y.z): docpipe/${part}:${env.imageTag} is not one`);
  }
  return `docpipe/${part}:${env.imageTag}`;
}

/** A pinned tag never changes: each node pulls it once, not on every restart. */
export const PINNED_IMAGE_PULL_POLICY = kplus.ImagePullPolicy.IF_NOT_PRESENT;

/** How long a database may take to initialise an empty volume on a slow laptop. */
export const FIRST_START_TIMEOUT = Duration.minutes(10);
const FIRST_START_PERIOD_SECONDS = 10;

/**
 * The startup probe of an official database image. On an empty volume its entrypoint first runs a
 * temporary server that listens on 127.0.0.1 only, while it creates users and databases. The probe
 * dials the pod's address, as liveness does, so liveness starts only once the real server listens,
 * and a kill in the middle of that phase (which would leave data without its users) is avoided.
 */
export function firstStartProbe(port: number, timeout: Duration): kplus.Probe {
  const seconds = timeout.toSeconds();
  if (seconds < FIRST_START_PERIOD_SECONDS) throw new Error(`a first start of ${seconds} s leaves no time to initialise the data directory`);
  return kplus.Probe.fromTcpSocket({
    port,
    periodSeconds: Duration.seconds(FIRST_START_PERIOD_SECONDS),
    failureThreshold: Math.ceil(seconds / FIRST_START_PERIOD_SECONDS),
  });
}

export function pullPolicy(env: EnvironmentConfig): kplus.ImagePullPolicy {
  return env.imagePullPolicy === 'Never' ? kplus.ImagePullPolicy.NEVER : kplus.ImagePullPolicy.IF_NOT_PRESENT;
}

/** A writable /tmp on a read-only root filesystem. */
export function tmpVolume(scope: Construct, id = 'tmp'): kplus.Volume {
  return kplus.Volume.fromEmptyDir(scope, id, 'tmp', { sizeLimit: Size.mebibytes(64) });
}

export interface DisruptionBudgetProps {
  readonly name: string;
  readonly selector: Record<string, string>;
  /**
   * Pods that may be evicted at once. One, not minAvailable: a single-replica workload with
   * minAvailable 1 would block every node drain forever.
   * @default 1
   */
  readonly maxUnavailable?: number;
}

export class DisruptionBudget extends Construct {
  constructor(scope: Construct, id: string, props: DisruptionBudgetProps) {
    super(scope, id);
    const maxUnavailable = props.maxUnavailable ?? 1;
    if (maxUnavailable < 1) throw new Error(`PDB ${props.name}: maxUnavailable 0 blocks every eviction`);
    new k8s.KubePodDisruptionBudget(this, 'Resource', {
      metadata: { name: props.name },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(maxUnavailable), selector: { matchLabels: props.selector } },
    });
  }
}

/** "10Gi" → Size; config sizes are written the way Kubernetes writes them. */
export function gibibytes(quantity: string): Size {
  const m = /^(\d+)Gi$/.exec(quantity);
  if (!m) throw new Error(`storage size must be whole Gi, like "10Gi"; got "${quantity}"`);
  return Size.gibibytes(Number(m[1]));
}
