// One scenario from start to verdict: a pipeline of its own (own topic, collection and consumer
// group, so scenarios never see each other's records), Docpipe's services behind fault proxies, a
// steady load, the fault and its healing, the drain, and the check.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { parse, stringify } from 'yaml';
import { CONSUMER_GROUP, pipelineResources } from '@docpipe/contract';
import { freePort, registerUser, stackKafkaAdmin, stackKafkaEnv } from '@docpipe/testing';
import { check, firstAcknowledgementAfter, type Verdict } from './checker.js';
import type { ChaosContext } from './context.js';
import { SteadyLoad } from './load.js';
import { FaultProxy } from './proxy.js';
import type { Scenario, World } from './scenarios.js';
import { Service } from './services.js';
import { Stack } from './stack.js';

export interface Timing {
  /** Documents per second, each its own request. */
  readonly rate: number;
  /** Load before the fault. */
  readonly warmupMs: number;
  /** From the fault to its healing. */
  readonly faultMs: number;
  /** Load after the healing, before the last new sequence number. */
  readonly afterMs: number;
  /** How long the client goes on retrying once it sends nothing new. */
  readonly patienceMs: number;
  /** Longest wait for the consumer group's lag to reach zero after that. */
  readonly drainTimeoutMs: number;
  /** Per attempt. */
  readonly requestTimeoutMs: number;
  /** The consumers' group session timeout (the rival scenario waits past it). */
  readonly sessionTimeoutMs: number;
}

export interface ScenarioResult {
  readonly name: string;
  readonly fault: string;
  readonly brokers: number;
  readonly pipeline: string;
  readonly verdict: Verdict;
  /** From the healing to the first 202 after it; null when none came. */
  readonly firstAcknowledgementAfterHealMs: number | null;
  /** Attempts by answer (HTTP status, `timeout`, or the socket error). */
  readonly answers: Readonly<Record<string, number>>;
  /** The group's lag reached zero within the drain timeout. */
  readonly drained: boolean;
  readonly durationMs: number;
  /** Why the scenario could not run to its end; its verdict then covers what happened up to there. */
  readonly error?: string;
}

/** 0 lost, 0 duplicated, 0 unexpected, every 202 stored under its id, drained, no error. */
export function passed(result: ScenarioResult): boolean {
  const { lost, duplicated, unexpected, wrongId } = result.verdict;
  return result.error === undefined && result.drained && lost === 0 && duplicated === 0 && unexpected === 0 && wrongId === 0;
}

const DESCRIPTION_PREFIX = 'chaos ';

/** A valid invoice line whose Description carries the sequence number. */
function invoice(seq: number): Record<string, unknown> {
  return {
    InvoiceNo: String(536365 + (seq % 400_000)),
    StockCode: '85123A',
    Description: `${DESCRIPTION_PREFIX}${seq}`,
    Quantity: 1 + (seq % 12),
    InvoiceDate: '01/12/2010 08:26',
    UnitPrice: 2.55,
    CustomerID: 17850,
    Country: 'United Kingdom',
  };
}

/** The invoices spec under a new name, its topic and collections derived from that name. */
function pipelineSpec(root: string, name: string, partitions: number): string {
  const spec = parse(readFileSync(join(root, 'pipelines', 'invoices.yaml'), 'utf8')) as { metadata: { name: string }; spec: Record<string, unknown> };
  spec.metadata.name = name;
  spec.spec['topic'] = { partitions, retentionDays: 1 };
  delete spec.spec['storage'];
  return stringify(spec);
}

export async function runScenario(ctx: ChaosContext, scenario: Scenario, timing: Timing): Promise<ScenarioResult> {
  const began = Date.now();
  const id = randomUUID().slice(0, 6);
  const pipeline = `chaos-${scenario.name}-${id}`.slice(0, 48).replace(/-$/, 'x');
  const resources = pipelineResources(pipeline);
  const dir = join(ctx.workDir, pipeline);
  const specs = join(dir, 'pipelines');
  mkdirSync(specs, { recursive: true });
  writeFileSync(join(specs, `${pipeline}.yaml`), pipelineSpec(ctx.root, pipeline, 3));

  const storeProxy = await FaultProxy.start(0, ctx.storePort);
  const kafkaProxies: FaultProxy[] = [];
  for (const [listen, target] of ctx.kafkaProxyRoutes) kafkaProxies.push(await FaultProxy.start(listen, target));
  const ingestKafka = kafkaProxies.length > 0 ? kafkaProxies.map((p) => `127.0.0.1:${p.port}`).join(',') : ctx.kafkaBrokers.join(',');
  const groupId = `${CONSUMER_GROUP}-${pipeline}`;
  const common = { ...ctx.serviceEnv, PIPELINES_DIR: specs, KAFKA_CREATE_TOPICS: 'true', HOST: '127.0.0.1' };
  const ingestPort = await freePort();
  const ingest = new Service({
    root: ctx.root, part: 'ingest', name: 'ingest', port: ingestPort, logFile: join(dir, 'ingest.log'),
    env: { ...common, ...stackKafkaEnv('ingest', ctx.serviceEnv), KAFKA_BROKERS: ingestKafka, MONGODB_URI: ctx.mongoUri },
  });
  const consumerEnv = {
    ...common,
    ...stackKafkaEnv('consumer', ctx.serviceEnv),
    KAFKA_BROKERS: ctx.kafkaBrokers.join(','),
    KAFKA_GROUP_ID: groupId,
    MONGODB_URI: `mongodb://127.0.0.1:${storeProxy.port}/`,
    CONSUMER_SESSION_TIMEOUT_MS: String(timing.sessionTimeoutMs),
  };
  const consumer = new Service({ root: ctx.root, part: 'consumer', name: 'consumer', port: await freePort(), logFile: join(dir, 'consumer.log'), env: consumerEnv });
  const rival = new Service({ root: ctx.root, part: 'consumer', name: 'rival consumer', port: await freePort(), logFile: join(dir, 'rival.log'), env: consumerEnv });

  const kafka = new Kafka({ ...stackKafkaAdmin('docpipe-chaos', ctx.serviceEnv), brokers: [...ctx.kafkaBrokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const mongo = new MongoClient(ctx.mongoUri);
  const collection = mongo.db(ctx.database).collection(resources.collections.documents);
  const world: World = {
    ingest, consumer, rival, kafkaProxies, storeProxy,
    stack: ctx.stack === undefined ? undefined : new Stack(ctx.stack),
    sessionTimeoutMs: timing.sessionTimeoutMs,
    storeCount: () => collection.estimatedDocumentCount(),
    partitionLeader: async () => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [resources.topics.documents] });
      const leader = topics[0]?.partitions.find((p) => p.partitionId === 0)?.leader;
      if (leader === undefined || leader < 0) throw new Error(`partition 0 of ${resources.topics.documents} has no leader`);
      return leader;
    },
  };

  let load: SteadyLoad | undefined;
  let healedAt = Number.NaN;
  let error: string | undefined;
  let drained = false;
  try {
    await mongo.connect();
    await admin.connect();
    await ingest.start();
    await consumer.start();
    const api = `http://127.0.0.1:${ingestPort}`;
    const { authorization } = await registerUser(api, `chaos-${id}`, randomUUID());
    load = new SteadyLoad({
      url: api, documentsPath: `/v1/pipelines/${pipeline}/documents`, authorization, rate: timing.rate,
      timeoutMs: timing.requestTimeoutMs, run: id, document: invoice,
    });
    load.start();
    await sleep(timing.warmupMs);
    await scenario.inject(world);
    await sleep(timing.faultMs);
    await scenario.heal(world);
    healedAt = Date.now();
    await sleep(timing.afterMs);
  } catch (caught) {
    error = (caught as Error).message;
    await healEverything(world);
  }
  const sent = load === undefined ? [] : await load.finish(timing.patienceMs);
  try {
    if (!consumer.running) await consumer.start();
    drained = await waitForZeroLag(admin, groupId, [resources.topics.documents, resources.topics.rejected], timing.drainTimeoutMs);
  } catch (caught) {
    error ??= (caught as Error).message;
  }
  const stored = await collection.find({}, { projection: { Description: 1 } }).toArray();
  const verdict = check(sent, stored.map((doc) => ({ seq: Number(String(doc['Description']).slice(DESCRIPTION_PREFIX.length)), id: String(doc._id) })));
  await Promise.allSettled([ingest.stop(), consumer.stop(), rival.stop()]);
  await Promise.allSettled([admin.disconnect(), mongo.close(), storeProxy.close(), ...kafkaProxies.map((p) => p.close())]);
  const first = Number.isNaN(healedAt) ? undefined : firstAcknowledgementAfter(sent, healedAt);
  return {
    name: scenario.name,
    fault: scenario.fault,
    brokers: ctx.kafkaBrokers.length,
    pipeline,
    verdict,
    firstAcknowledgementAfterHealMs: first ?? null,
    answers: Object.fromEntries(load?.answers ?? []),
    drained,
    durationMs: Date.now() - began,
    ...(error === undefined ? {} : { error }),
  };
}

/** After a scenario failed half way: every proxy open, every process resumed and running. */
async function healEverything(world: World): Promise<void> {
  for (const proxy of [world.storeProxy, ...world.kafkaProxies]) proxy.set('pass');
  for (const service of [world.ingest, world.consumer]) {
    try {
      if (service.running) service.resume();
      else await service.start();
    } catch {
      // The drain and the verdict say what this left undone.
    }
  }
  if (world.stack !== undefined) {
    for (const server of world.stack.servers()) world.stack.signal(server, 'SIGCONT');
    await world.stack.restart().catch(() => undefined);
  }
}

/** The group's committed offsets have caught up with the end of every topic it reads. */
async function waitForZeroLag(admin: ReturnType<Kafka['admin']>, groupId: string, topics: readonly string[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      let lag = 0;
      for (const topic of topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        for (const { partition, offset, low } of ends) {
          const done = Number(committed?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
          lag += Number(offset) - Math.max(done, Number(low));
        }
      }
      if (lag === 0) return true;
    } catch {
      // The broker may still be electing leaders after a fault: ask again.
    }
    if (Date.now() > deadline) return false;
    await sleep(500);
  }
}
