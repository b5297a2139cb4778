// The capacity model: from the CPU cost per document of each part (costs.ts, written by every bench
// run), the replicas, partitions, brokers and MongoDB shards that carry a given rate, and the rate
// the production environment's settings carry. Pure (bench/test/capacity.test.ts);
// capacity-cli.ts reads a run and the production settings and prints it. docs/capacity.md explains
// the model and each assumption.
import type { EnvironmentConfig } from '@docpipe/cdk8s/lib/src/config.js';
import { ConsumerEnv } from '@docpipe/contract';
import type { CompiledPipeline } from '@docpipe/pipeline';
import type { Cost, Costs, Part } from './costs.js';

/** Every assumption of the model: one object, printed with every answer. */
export interface Assumptions {
  /** Share of each replica's cores kept free (a replica's loss, spikes, rebalancing): pods are sized to use the rest. */
  readonly headroom: number;
  /** Share of documents that arrive through the batch endpoint; the rest come one per request. */
  readonly batchShare: number;
  /** Cores one ingest pod can use: Node runs the requests' JavaScript on one thread. */
  readonly ingestCoresPerPod: number;
  /** Cores one consumer pod can use, for the same reason. */
  readonly consumerCoresPerPod: number;
  readonly coresPerBroker: number;
  /**
   * Copies of every record. The bench's broker keeps one; each further copy is taken to cost
   * another broker what the leader's write cost (an upper bound: followers fetch in batches).
   */
  readonly replicationFactor: number;
  /** Cores of a shard's primary, which takes all of the shard's writes. */
  readonly coresPerShard: number;
  /** Members of each shard's replica set; each secondary applies the primary's writes, so needs its cores too. */
  readonly membersPerShard: number;
  /** Partitions each consumer replica works on at once (the consumer's CONSUMER_PARTITIONS_CONCURRENTLY): fewer leave its writes idle. */
  readonly partitionsPerConsumer: number;
  /** Bytes of one record, the envelope ingest writes; unset, the run's mean record size. */
  readonly documentBytes?: number;
}

/** The consumer's own default, from the contract's env schema, which production does not override. */
const consumerPartitionsConcurrently = Number((ConsumerEnv.properties.CONSUMER_PARTITIONS_CONCURRENTLY as { readonly default?: unknown }).default);

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  headroom: 0.5,
  batchShare: 0,
  ingestCoresPerPod: 1,
  consumerCoresPerPod: 1,
  coresPerBroker: 2,
  replicationFactor: 3,
  coresPerShard: 2,
  membersPerShard: 3,
  partitionsPerConsumer: consumerPartitionsConcurrently,
};

/** What each assumption means, in the order reports print them. */
export const ASSUMPTION_TITLES: Record<keyof Assumptions, string> = {
  headroom: 'share of every replica\u2019s cores kept free',
  batchShare: 'share of documents sent through the batch endpoint',
  ingestCoresPerPod: 'cores per ingest pod',
  consumerCoresPerPod: 'cores per consumer pod',
  coresPerBroker: 'cores per Kafka broker',
  replicationFactor: 'Kafka replication factor (each copy costs a write)',
  coresPerShard: 'cores per MongoDB shard primary',
  membersPerShard: 'members per MongoDB shard (replica set)',
  partitionsPerConsumer: 'partitions per consumer replica (CONSUMER_PARTITIONS_CONCURRENTLY)',
  documentBytes: 'bytes per document (record of the documents topic)',
};

const INTEGERS: readonly (keyof Assumptions)[] = ['replicationFactor', 'membersPerShard', 'partitionsPerConsumer'];

/** Problems of a set of assumptions; empty when they are usable. */
export function assumptionProblems(a: Assumptions): string[] {
  const problems: string[] = [];
  const check = (key: keyof Assumptions, ok: boolean, rule: string) => {
    if (!ok) problems.push(`${key} must be ${rule}, got ${String(a[key])}`);
  };
  check('headroom', a.headroom >= 0 && a.headroom < 1, 'at least 0 and below 1');
  check('batchShare', a.batchShare >= 0 && a.batchShare <= 1, 'from 0 to 1');
  for (const key of ['ingestCoresPerPod', 'consumerCoresPerPod', 'coresPerBroker', 'coresPerShard'] as const) check(key, a[key] > 0, 'above 0');
  for (const key of INTEGERS) check(key, Number.isInteger(a[key]) && (a[key] as number) >= 1, 'a whole number of at least 1');
  if (a.documentBytes !== undefined) check('documentBytes', a.documentBytes > 0, 'above 0');
  return problems;
}

/** The defaults with `overrides` on top, validated. */
export function assumptions(overrides: Partial<Assumptions> = {}): Assumptions {
  const a = { ...DEFAULT_ASSUMPTIONS, ...overrides };
  const problems = assumptionProblems(a);
  if (problems.length > 0) throw new Error(`capacity assumptions: ${problems.join('; ')}`);
  return a;
}

/** A figure, or why the run cannot give it. */
export type Figure = { readonly value: number } | { readonly missing: string };

const missingOf = (cost: Cost): string | undefined => ('missing' in cost ? cost.missing : undefined);

/** Reasons joined once each: several figures often miss the same measurement. */
const reasons = (list: readonly (string | undefined)[]) => [...new Set(list.flatMap((r) => r?.split('; ') ?? []))].join('; ');

/** The mix-weighted cost of the parts, in core-ms per document. */
function blend(costs: Costs, terms: readonly (readonly [Part, number])[]): Figure {
  const missing = terms.flatMap(([part, weight]) => (weight > 0 ? [missingOf(costs.parts[part])] : [])).filter((m): m is string => m !== undefined);
  if (missing.length > 0) return { missing: reasons(missing) };
  const value = terms.reduce((sum, [part, weight]) => {
    const cost = costs.parts[part];
    return weight > 0 && 'coreMsPerDoc' in cost ? sum + weight * cost.coreMsPerDoc : sum;
  }, 0);
  return { value };
}

/** Core-ms per document of ingest, the brokers (every copy), the consumer and the store, under the assumptions. */
export function perDocument(costs: Costs, a: Assumptions, replicationFactor = a.replicationFactor): Record<'ingest' | 'broker' | 'consumer' | 'store', Figure> {
  const single = 1 - a.batchShare;
  return {
    ingest: blend(costs, [['ingest.single', single], ['ingest.batch', a.batchShare]]),
    broker: blend(costs, [
      ['broker.single', single * replicationFactor],
      ['broker.batch', a.batchShare * replicationFactor],
      ['broker.fetch', 1],
    ]),
    consumer: blend(costs, [['consumer', 1]]),
    store: blend(costs, [['store', 1]]),
  };
}

export function documentBytes(costs: Costs, a: Assumptions): Figure {
  if (a.documentBytes !== undefined) return { value: a.documentBytes };
  return 'bytes' in costs.documentBytes ? { value: costs.documentBytes.bytes } : costs.documentBytes;
}

/** One part sized for a rate: the cores it keeps busy and the replicas that carry them. */
export type Sized = { readonly cores: number; readonly replicas: number } | { readonly missing: string };

export interface Sizing {
  readonly rate: number;
  readonly ingest: Sized;
  readonly consumer: Sized;
  readonly brokers: Sized;
  readonly store: Sized;
  /** At least one per consumer replica's concurrent partitions, and as many as brokers, in whole multiples of the brokers. */
  readonly partitions: Figure;
  /** Bytes per second a broker takes in: every copy of every record, spread over the brokers. */
  readonly brokerInBytesPerSecond: Figure;
}

const coresFor = (rate: number, coreMsPerDoc: number) => (rate * coreMsPerDoc) / 1000;

function size(rate: number, cost: Figure, coresPerReplica: number, a: Assumptions, least: number): Sized {
  if ('missing' in cost) return cost;
  const cores = coresFor(rate, cost.value);
  // Rounding of the float product must not add a replica when the cores fill whole replicas exactly.
  const needed = Math.ceil(cores / (coresPerReplica * (1 - a.headroom)) - 1e-9);
  return { cores, replicas: Math.max(least, needed) };
}

const roundUpTo = (value: number, step: number) => Math.ceil(value / step) * step;

/** The cluster for `rate` documents per second. */
export function sizeFor(rate: number, costs: Costs, a: Assumptions): Sizing {
  const cost = perDocument(costs, a);
  const consumer = size(rate, cost.consumer, a.consumerCoresPerPod, a, 1);
  // A topic needs as many copies as brokers to hold them, whatever its CPU.
  const brokers = size(rate, cost.broker, a.coresPerBroker, a, a.replicationFactor);
  const store = size(rate, cost.store, a.coresPerShard, a, 1);
  const partitions: Figure =
    'missing' in consumer || 'missing' in brokers
      ? { missing: reasons(['missing' in consumer ? consumer.missing : undefined, 'missing' in brokers ? brokers.missing : undefined]) }
      : { value: roundUpTo(Math.max(consumer.replicas * a.partitionsPerConsumer, brokers.replicas), brokers.replicas) };
  const bytes = documentBytes(costs, a);
  const brokerInBytesPerSecond: Figure =
    'missing' in bytes ? bytes : 'missing' in brokers ? brokers : { value: (rate * bytes.value * a.replicationFactor) / brokers.replicas };
  return { rate, ingest: size(rate, cost.ingest, a.ingestCoresPerPod, a, 1), consumer, brokers, store, partitions, brokerInBytesPerSecond };
}

export const TARGET_RATES: readonly number[] = [1_000, 10_000, 100_000, 1_000_000];

/** What the production settings give each part: replicas and the cores each may use. */
export interface Production {
  readonly ingest: { readonly maxReplicas: number; readonly cpuLimitCores: number; readonly cpuRequestCores: number; readonly hpaCpuUtilization: number };
  /** Consumer replicas: the pipeline's KEDA maximum, and no more than its partitions (a replica past them idles). */
  readonly consumer: { readonly maxReplicas: number; readonly partitions: number; readonly cpuLimitCores: number };
  readonly kafka: { readonly brokers: number; readonly replicationFactor: number; readonly cpuLimitCores: number; readonly storageBytes: number; readonly retentionDays: number };
  /** One replica set, not sharded: its primary takes every write. */
  readonly mongodb: { readonly shards: number; readonly members: number; readonly cpuLimitCores: number };
}

const UNITS: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A Kubernetes quantity of bytes (a number with an optional Ki, Mi, Gi... or K, M, G... suffix) in bytes. */
export function quantityBytes(text: string): number {
  const match = /^([0-9.]+)([KMGT]i?)?$/.exec(text.trim());
  const factor = UNITS[match?.[2] ?? ''];
  if (!match || factor === undefined) throw new Error(`not a quantity of bytes: "${text}"`);
  return Number(match[1]) * factor;
}

/** The production settings the model is compared with: the cdk8s environment and the pipeline it runs. */
export function productionOf(env: EnvironmentConfig, pipeline: CompiledPipeline): Production {
  const cores = (millis: number) => millis / 1000;
  return {
    ingest: {
      maxReplicas: env.ingest.maxReplicas,
      cpuLimitCores: cores(env.ingest.resources.cpuLimitMillis),
      cpuRequestCores: cores(env.ingest.resources.cpuRequestMillis),
      hpaCpuUtilization: env.ingest.cpuUtilization / 100,
    },
    consumer: { maxReplicas: pipeline.spec.scaling.maxReplicas, partitions: pipeline.spec.topic.partitions, cpuLimitCores: cores(env.consumer.resources.cpuLimitMillis) },
    kafka: {
      brokers: env.kafka.nodes,
      replicationFactor: env.kafka.replicationFactor,
      cpuLimitCores: cores(env.kafka.resources.cpuLimitMillis),
      storageBytes: quantityBytes(env.kafka.storageSize),
      retentionDays: pipeline.spec.topic.retentionDays,
    },
    mongodb: { shards: 1, members: env.mongodb.members, cpuLimitCores: cores(env.mongodb.resources.cpuLimitMillis) },
  };
}

export type Limit = 'ingest' | 'consumer' | 'brokers' | 'store';

export interface ProductionCapacity {
  /** Documents per second each part of production carries on its cores, under the assumptions' headroom. */
  readonly byPart: Readonly<Record<Limit, Figure>>;
  /** The smallest of them, and which part it is; absent when a part's cost is missing. */
  readonly rate?: number;
  readonly limitedBy?: Limit;
  /**
   * Documents per second the brokers' disks hold for the whole retention: an average over the
   * retention, where the cores bound every second.
   */
  readonly kafkaDisk: Figure;
  /** ingest's rate where its HPA stops adding pods: every pod at the target share of its request. */
  readonly ingestAtHpaTarget: Figure;
}

const DAY_SECONDS = 86_400;

/** The rate production's settings carry, part by part, with production's own replication factor. */
export function productionCapacity(p: Production, costs: Costs, a: Assumptions): ProductionCapacity {
  const cost = perDocument(costs, a, p.kafka.replicationFactor);
  const usable = 1 - a.headroom;
  const rate = (cores: number, perDoc: Figure): Figure => ('missing' in perDoc ? perDoc : { value: (cores * 1000) / perDoc.value });
  const consumers = Math.min(p.consumer.maxReplicas, p.consumer.partitions);
  const bytes = documentBytes(costs, a);
  const byPart: Record<Limit, Figure> = {
    ingest: rate(p.ingest.maxReplicas * p.ingest.cpuLimitCores * usable, cost.ingest),
    consumer: rate(consumers * p.consumer.cpuLimitCores * usable, cost.consumer),
    brokers: rate(p.kafka.brokers * p.kafka.cpuLimitCores * usable, cost.broker),
    store: rate(p.mongodb.shards * p.mongodb.cpuLimitCores * usable, cost.store),
  };
  // Every broker's disk holds its share of every copy for the retention.
  const kafkaDisk: Figure =
    'missing' in bytes ? bytes : { value: (p.kafka.brokers * p.kafka.storageBytes) / (bytes.value * p.kafka.replicationFactor * p.kafka.retentionDays * DAY_SECONDS) };
  const ingestAtHpaTarget = rate(p.ingest.maxReplicas * p.ingest.cpuRequestCores * p.ingest.hpaCpuUtilization, cost.ingest);
  const known = Object.entries(byPart).flatMap(([part, f]) => ('value' in f ? [[part as Limit, f.value] as const] : []));
  if (known.length < Object.keys(byPart).length || known.length === 0) return { byPart, kafkaDisk, ingestAtHpaTarget };
  const [limitedBy, least] = known.reduce((low, x) => (x[1] < low[1] ? x : low));
  return { byPart, rate: least, limitedBy, kafkaDisk, ingestAtHpaTarget };
}
