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
  /**
   * The client listener speaks TLS, and ingest, consumer and KEDA trust Strimzi's cluster CA.
   * kind stays plain: its traffic never leaves the laptop.
   */
  readonly tls: boolean;
  readonly resources: ResourceSpec;
  /** The listener programs outside the cluster produce to, as EXTERNAL_KAFKA_USER. */
  readonly external: ExternalListenerConfig;
}

/** A node port, and the port of the laptop that kind-config.yaml maps it to. */
export interface NodePortMapping {
  readonly nodePort: number;
  /** kind-config.yaml's hostPort for this nodePort. */
  readonly hostPort: number;
}

interface ExternalListenerBase {
  /** SCRAM-SHA-512 over TLS with certificates of Strimzi's cluster CA; without, plain SCRAM-SHA-512. */
  readonly tls: boolean;
  /**
   * The networks the producers' connections arrive from, as the brokers see them: the brokers'
   * NetworkPolicy admits the listener from these alone. Never every address.
   */
  readonly sources: readonly string[];
}

/** Node ports that kind-config.yaml maps to ports of the laptop. */
export interface NodePortListenerConfig extends ExternalListenerBase {
  readonly type: 'nodeport';
  readonly bootstrap: NodePortMapping;
  /** One per Kafka node, in node-ID order (a node pool numbers its nodes from 0). */
  readonly brokers: readonly NodePortMapping[];
  /** The host each broker advertises with its hostPort: where the producer finds the mappings. */
  readonly advertisedHost: string;
}

/** A load balancer for bootstrap and one per broker, each broker advertising its own address. */
export interface LoadBalancerListenerConfig extends ExternalListenerBase {
  readonly type: 'loadbalancer';
}

export type ExternalListenerConfig = NodePortListenerConfig | LoadBalancerListenerConfig;

/** Addresses that no pod or namespace selector can name, with the ports a flow uses on them. */
export interface CidrFlow {
  readonly cidrs: readonly string[];
  readonly ports: readonly number[];
}

export interface EnvironmentConfig {
  readonly name: 'kind' | 'production';
  readonly namespace: string;
  /** Tag of the docpipe/* images; never `latest`. */
  readonly imageTag: string;
  /** Only release tags (x.y.z) may run here: a development build never reaches this environment. */
  readonly releaseImagesOnly: boolean;
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
    /** Where a NodePort's clients arrive from, after the node has translated them; with nodePort. */
    readonly nodePortSources?: readonly string[];
    readonly resources: ResourceSpec;
  };
  /** Each pipeline's consumer (its replicas and lag threshold are its spec's, spec.scaling). */
  readonly consumer: { readonly resources: ResourceSpec };
  readonly jobs: { readonly resources: ResourceSpec };
  /**
   * Where pods reach the Kubernetes API (the entity operator watches KafkaTopics and KafkaUsers):
   * the API server's own addresses, and the `kubernetes` Service's for network plugins that judge
   * a flow before kube-proxy rewrites its destination.
   */
  readonly kubernetesApi: readonly CidrFlow[];
  /**
   * mongo-express and Adminer beside the databases, each reachable through `kubectl port-forward`
   * only (src/constructs/mongo-express.ts, adminer.ts).
   */
  readonly databaseUis: boolean;
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

// Docker's default address pools, from which the `kind` network of the nodes takes its subnet;
// a Docker configured with other pools needs its own here (`docker network inspect kind`).
const dockerNetworks = ['172.16.0.0/12', '192.168.0.0/16'];
// kind's default pod subnet: kube-proxy hands a NodePort client to a pod on the same node from
// the node's address on this network.
const kindPods = '10.244.0.0/16';
// RFC 1918: where a typical cluster's control plane and Service network live. A cluster whose API
// server is reached on a public address needs that address here.
const privateNetworks = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

/** The tag `make images` gave the images that kind runs (mk/k8s.mk exports it to kind alone). */
function kindImageTag(): string {
  return process.env.DOCPIPE_KIND_IMAGE_TAG || 'dev';
}

/**
 * Production runs the database UIs only when DOCPIPE_PRODUCTION_DATABASE_UIS=1 asks for them. Not
 * the local stack's DOCPIPE_DATABASE_UIS, which env.sh hands to every test and tool it runs.
 */
export function productionDatabaseUis(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.DOCPIPE_PRODUCTION_DATABASE_UIS ?? '';
  if (!['', '0', '1'].includes(value)) {
    throw new Error(`DOCPIPE_PRODUCTION_DATABASE_UIS must be 1 (the database UIs in production) or 0, got "${value}"`);
  }
  return value === '1';
}

export const environments: Record<EnvironmentConfig['name'], EnvironmentConfig> = {
  kind: {
    name: 'kind',
    namespace: 'docpipe',
    imageTag: kindImageTag(),
    releaseImagesOnly: false,
    imagePullPolicy: 'Never',
    kafka: {
      nodes: 1,
      storageSize: '5Gi',
      replicationFactor: 1,
      minInSyncReplicas: 1,
      tls: false,
      resources: { cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryRequestMiB: 1024, memoryLimitMiB: 1536 },
      // A producer on the laptop dials the bootstrap's host port and is sent on to each broker's.
      // The brokers advertise the address kind-config.yaml binds, not `localhost`, which may
      // resolve to ::1 first, where nothing listens.
      external: {
        type: 'nodeport',
        tls: false,
        bootstrap: { nodePort: 30094, hostPort: 9094 },
        brokers: [{ nodePort: 30095, hostPort: 9095 }],
        advertisedHost: '127.0.0.1',
        // As for ingest's NodePort: kube-proxy hands the connection on from a node's address.
        sources: [...dockerNetworks, kindPods],
      },
    },
    mongodb: {
      members: 1,
      storageSize: '2Gi',
      resources: { cpuRequestMillis: 100, cpuLimitMillis: 1000, memoryRequestMiB: 512, memoryLimitMiB: 1024 },
    },
    postgres: { storageSize: '1Gi', resources: { ...small, memoryLimitMiB: 512 } },
    ingest: {
      minReplicas: 1,
      maxReplicas: 3,
      cpuUtilization: 70,
      nodePort: 30080,
      nodePortSources: [...dockerNetworks, kindPods],
      resources: { ...small, memoryLimitMiB: 384 },
    },
    consumer: { resources: { ...small, memoryLimitMiB: 384 } },
    jobs: { resources: small },
    // The API server listens on the control-plane node; the Service is the first address of
    // kind's default Service subnet.
    kubernetesApi: [
      { cidrs: dockerNetworks, ports: [6443] },
      { cidrs: ['10.96.0.1/32'], ports: [443] },
    ],
    databaseUis: true,
  },
  production: {
    name: 'production',
    namespace: 'docpipe',
    imageTag: '0.1.0',
    releaseImagesOnly: true,
    imagePullPolicy: 'IfNotPresent',
    kafka: {
      nodes: 3,
      storageSize: '100Gi',
      replicationFactor: 3,
      minInSyncReplicas: 2,
      tls: true,
      resources: { cpuRequestMillis: 1000, cpuLimitMillis: 2000, memoryRequestMiB: 4096, memoryLimitMiB: 4096 },
      // Producers in the organisation's own networks (peered, over a VPN). Producers on the
      // internet need their public ranges here, a decision the network tests make explicit: they
      // refuse any address outside these networks.
      external: { type: 'loadbalancer', tls: true, sources: privateNetworks },
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
    consumer: { resources: { cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryRequestMiB: 256, memoryLimitMiB: 512 } },
    jobs: { resources: { ...small, cpuRequestMillis: 100 } },
    // Managed and kubeadm clusters alike serve the API on 443 or 6443.
    kubernetesApi: [{ cidrs: privateNetworks, ports: [443, 6443] }],
    databaseUis: productionDatabaseUis(),
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
