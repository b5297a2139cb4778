// The one place where the environments differ. Everything a chart needs to vary by environment
// is a field here; constructs never branch on the environment's name.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** CPU in millicores and memory in MiB: the request and the limit of one container. */
export interface ResourceSpec {
  readonly cpuRequestMillis: number;
  readonly cpuLimitMillis: number;
  readonly memoryRequestMiB: number;
  readonly memoryLimitMiB: number;
}

export interface KafkaConfig {
  /** Dual-role (controller + broker) KRaft nodes. */
  readonly nodes: number;
  readonly storageSize: string;
  /** Replication of every topic, internal ones included. */
  readonly replicationFactor: number;
  readonly minInSyncReplicas: number;
  /** Partitions of `documents`: the ceiling of useful consumer replicas. */
  readonly documentsPartitions: number;
  readonly rejectedPartitions: number;
  readonly resources: ResourceSpec;
}

export interface EnvironmentConfig {
  readonly name: 'kind' | 'production';
  readonly namespace: string;
  /** Tag of the docpipe/* images; never `latest`. */
  readonly imageTag: string;
  /** Pods pulled from a registry use IfNotPresent; kind-loaded images must never be pulled. */
  readonly imagePullPolicy: 'IfNotPresent' | 'Never';
  readonly kafka: KafkaConfig;
  readonly mongodb: { readonly members: number; readonly storageSize: string; readonly resources: ResourceSpec };
  readonly postgres: { readonly storageSize: string; readonly resources: ResourceSpec };
  readonly ingest: {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly cpuUtilization: number;
    /** kind exposes the API as a NodePort that kind-config.yaml maps to host port 8080. */
    readonly nodePort?: number;
    readonly resources: ResourceSpec;
  };
  readonly consumer: {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    /** Lag per replica at which KEDA adds one. */
    readonly lagThreshold: number;
    readonly resources: ResourceSpec;
  };
  readonly jobs: { readonly resources: ResourceSpec };
}

/** scripts/versions.env, so the cluster and the local stack run the same Kafka. */
export function pinnedVersions(): Record<string, string> {
  const file = fileURLToPath(new URL('../../scripts/versions.env', import.meta.url));
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => /^([A-Z0-9_]+)=(.*)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, m[2]!] as const);
  return Object.fromEntries(entries);
}

const small: ResourceSpec = { cpuRequestMillis: 50, cpuLimitMillis: 500, memoryRequestMiB: 128, memoryLimitMiB: 256 };

export const environments: Record<EnvironmentConfig['name'], EnvironmentConfig> = {
  kind: {
    name: 'kind',
    namespace: 'docpipe',
    imageTag: 'dev',
    imagePullPolicy: 'Never',
    kafka: {
      nodes: 1,
      storageSize: '5Gi',
      replicationFactor: 1,
      minInSyncReplicas: 1,
      documentsPartitions: 6,
      rejectedPartitions: 3,
      resources: { cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryRequestMiB: 1024, memoryLimitMiB: 1536 },
    },
    mongodb: {
      members: 1,
      storageSize: '2Gi',
      resources: { cpuRequestMillis: 100, cpuLimitMillis: 1000, memoryRequestMiB: 512, memoryLimitMiB: 1024 },
    },
    postgres: { storageSize: '1Gi', resources: { ...small, memoryLimitMiB: 512 } },
    ingest: { minReplicas: 1, maxReplicas: 3, cpuUtilization: 70, nodePort: 30080, resources: { ...small, memoryLimitMiB: 384 } },
    consumer: { minReplicas: 1, maxReplicas: 3, lagThreshold: 1000, resources: { ...small, memoryLimitMiB: 384 } },
    jobs: { resources: small },
  },
  production: {
    name: 'production',
    namespace: 'docpipe',
    imageTag: '0.1.0',
    imagePullPolicy: 'IfNotPresent',
    kafka: {
      nodes: 3,
      storageSize: '100Gi',
      replicationFactor: 3,
      minInSyncReplicas: 2,
      documentsPartitions: 12,
      rejectedPartitions: 6,
      resources: { cpuRequestMillis: 1000, cpuLimitMillis: 2000, memoryRequestMiB: 4096, memoryLimitMiB: 4096 },
    },
    mongodb: {
      members: 3,
      storageSize: '100Gi',
      resources: { cpuRequestMillis: 1000, cpuLimitMillis: 2000, memoryRequestMiB: 4096, memoryLimitMiB: 4096 },
    },
    postgres: {
      storageSize: '20Gi',
      resources: { cpuRequestMillis: 500, cpuLimitMillis: 1000, memoryRequestMiB: 1024, memoryLimitMiB: 1024 },
    },
    ingest: {
      minReplicas: 3,
      maxReplicas: 10,
      cpuUtilization: 70,
      resources: { cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryRequestMiB: 256, memoryLimitMiB: 512 },
    },
    consumer: {
      minReplicas: 2,
      maxReplicas: 12,
      lagThreshold: 1000,
      resources: { cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryRequestMiB: 256, memoryLimitMiB: 512 },
    },
    jobs: { resources: { ...small, cpuRequestMillis: 100 } },
  },
};

/** The environment named by DOCPIPE_ENV (kind by default), with the image tag overridable. */
export function environmentFromEnv(env: NodeJS.ProcessEnv = process.env): EnvironmentConfig {
  const name = env.DOCPIPE_ENV ?? 'kind';
  if (name !== 'kind' && name !== 'production') {
    throw new Error(`DOCPIPE_ENV must be "kind" or "production", got "${name}"`);
  }
  const base = environments[name];
  return env.DOCPIPE_IMAGE_TAG ? { ...base, imageTag: env.DOCPIPE_IMAGE_TAG } : base;
}
