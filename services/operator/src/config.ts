import { hostname } from 'node:os';
import { OperatorEnv } from '@docpipe/contract';
import { ConfigError, loadEnv, splitList } from '@docpipe/runtime';
import type { PipelineCluster } from '#cdk8s/pipeline/children';

export interface OperatorConfig {
  readonly logLevel: string;
  readonly host: string;
  readonly port: number;
  /** Where the operator watches DocumentPipelines and puts their children. */
  readonly namespace: string;
  readonly leaderElection: {
    readonly lease: string;
    readonly identity: string;
    readonly leaseDurationMs: number;
    readonly retryMs: number;
  };
  readonly resyncMs: number;
  readonly workers: number;
  /** What every pipeline's children need to know of the cluster. */
  readonly cluster: PipelineCluster;
  /** Where deletionPolicy Delete drops collections; unset, they are kept and an Event says so. */
  readonly mongodbUri: string | undefined;
}

/** The only place the operator reads the environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const e = loadEnv(OperatorEnv, env);
  if (e.LEASE_RETRY_SECONDS * 2 > e.LEASE_DURATION_SECONDS) {
    // A leader must get at least two tries at renewing before its Lease runs out.
    throw new ConfigError('invalid configuration: LEASE_RETRY_SECONDS must be at most half of LEASE_DURATION_SECONDS');
  }
  if (e.KAFKA_MIN_INSYNC_REPLICAS > e.KAFKA_TOPIC_REPLICAS) {
    throw new ConfigError('invalid configuration: KAFKA_MIN_INSYNC_REPLICAS must not exceed KAFKA_TOPIC_REPLICAS');
  }
  if (e.CONSUMER_CPU_REQUEST_MILLIS > e.CONSUMER_CPU_LIMIT_MILLIS || e.CONSUMER_MEMORY_REQUEST_MIB > e.CONSUMER_MEMORY_LIMIT_MIB) {
    throw new ConfigError('invalid configuration: a consumer request (CONSUMER_*_REQUEST_*) must not exceed its limit');
  }
  return {
    logLevel: e.LOG_LEVEL,
    host: e.HOST,
    port: e.PORT,
    namespace: e.WATCH_NAMESPACE,
    leaderElection: {
      lease: e.LEASE_NAME,
      identity: e.POD_NAME ?? hostname(),
      leaseDurationMs: e.LEASE_DURATION_SECONDS * 1000,
      retryMs: e.LEASE_RETRY_SECONDS * 1000,
    },
    resyncMs: e.RESYNC_SECONDS * 1000,
    workers: e.RECONCILE_WORKERS,
    cluster: {
      kafkaCluster: e.KAFKA_CLUSTER,
      bootstrapServers: e.KAFKA_BROKERS,
      kafkaTls: e.KAFKA_TLS,
      topicReplicas: e.KAFKA_TOPIC_REPLICAS,
      minInSyncReplicas: e.KAFKA_MIN_INSYNC_REPLICAS,
      consumerImage: e.CONSUMER_IMAGE,
      imagePullPolicy: e.CONSUMER_IMAGE_PULL_POLICY,
      mongodbHosts: splitList(e.MONGODB_HOSTS),
      ...(e.MONGODB_REPLICA_SET ? { mongodbReplicaSet: e.MONGODB_REPLICA_SET } : {}),
      mongodbDatabase: e.MONGODB_DATABASE,
      mongodbSecret: e.MONGODB_SECRET,
      consumerResources: {
        cpuRequestMillis: e.CONSUMER_CPU_REQUEST_MILLIS,
        cpuLimitMillis: e.CONSUMER_CPU_LIMIT_MILLIS,
        memoryRequestMiB: e.CONSUMER_MEMORY_REQUEST_MIB,
        memoryLimitMiB: e.CONSUMER_MEMORY_LIMIT_MIB,
      },
    },
    mongodbUri: e.MONGODB_URI,
  };
}
