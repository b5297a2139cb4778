// One fault at a time: what each scenario breaks, and how it heals. The runner (run.ts) keeps the
// load going around them and checks the outcome.
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultProxy, ProxyMode } from './proxy.js';
import type { Service } from './services.js';
import type { Stack } from './stack.js';

/** What a scenario needs beyond Docpipe's own services and the store proxy. */
export type Need = 'stack' | 'kafka-proxy';

export interface World {
  readonly ingest: Service;
  readonly consumer: Service;
  /** A second consumer of the same group, started only by the scenario that needs it. */
  readonly rival: Service;
  readonly stack: Stack | undefined;
  /** Between ingest and every broker; empty without `kafka-proxy`. */
  readonly kafkaProxies: readonly FaultProxy[];
  /** Between the consumer and the store. */
  readonly storeProxy: FaultProxy;
  /** Documents in the scenario's collection now. */
  storeCount(): Promise<number>;
  /** The node id of the broker leading the documents topic's first partition. */
  partitionLeader(): Promise<number>;
  readonly sessionTimeoutMs: number;
}

export interface Scenario {
  readonly name: string;
  /** The fault, for the report. */
  readonly fault: string;
  readonly needs: readonly Need[];
  inject(world: World): Promise<void>;
  heal(world: World): Promise<void>;
}

function stackOf(world: World): Stack {
  if (world.stack === undefined) throw new Error('this scenario needs the stack servers');
  return world.stack;
}

/** The broker a broker fault hits: the leader of the partition, so the fault is felt. */
async function leaderName(world: World): Promise<string> {
  return `kafka-${await world.partitionLeader()}`;
}

function processFaults(target: 'ingest' | 'consumer'): Scenario[] {
  return [
    {
      name: `${target}-kill`,
      fault: `SIGKILL of ${target}, started again after the fault time`,
      needs: [],
      inject: (world) => world[target].kill(),
      heal: (world) => world[target].start(),
    },
    {
      name: `${target}-pause`,
      fault: `SIGSTOP of ${target} for the fault time, then SIGCONT`,
      needs: [],
      inject: async (world) => world[target].pause(),
      heal: async (world) => world[target].resume(),
    },
  ];
}

/** A stack server by name, or the partition leader's broker. */
type StackTarget = { readonly label: string; server(world: World): Promise<string> };
const BROKER: StackTarget = { label: 'the partition leader broker', server: leaderName };
const STORE: StackTarget = { label: 'the store (FerretDB)', server: async () => 'ferretdb' };
const POSTGRES: StackTarget = { label: 'Postgres (users, idempotency keys)', server: async () => 'postgres' };

function stackFaults(name: string, target: StackTarget): Scenario[] {
  let paused = '';
  return [
    {
      name: `${name}-kill`,
      fault: `SIGKILL of ${target.label}, started again by scripts/stack/up.sh after the fault time`,
      needs: ['stack'],
      inject: async (world) => stackOf(world).kill(await target.server(world)),
      heal: (world) => stackOf(world).restart(),
    },
    {
      name: `${name}-pause`,
      fault: `SIGSTOP of ${target.label} and its children for the fault time, then SIGCONT`,
      needs: ['stack'],
      inject: async (world) => {
        paused = await target.server(world);
        stackOf(world).signal(paused, 'SIGSTOP');
      },
      heal: async (world) => {
        stackOf(world).signal(paused, 'SIGCONT');
      },
    },
  ];
}

function linkFaults(name: string, between: string, proxies: (world: World) => readonly FaultProxy[], needs: readonly Need[]): Scenario[] {
  const set = (world: World, mode: ProxyMode) => {
    for (const proxy of proxies(world)) proxy.set(mode);
  };
  return [
    {
      name: `${name}-blackhole`,
      fault: `${between}: every packet held for the fault time (open connections stall, new ones hang)`,
      needs,
      inject: async (world) => set(world, 'blackhole'),
      heal: async (world) => set(world, 'pass'),
    },
    {
      name: `${name}-reset`,
      fault: `${between}: every connection reset (RST), and each new one, for the fault time`,
      needs,
      inject: async (world) => set(world, 'reset'),
      heal: async (world) => set(world, 'pass'),
    },
  ];
}

const rivalConsumer: Scenario = {
  name: 'consumer-rival',
  fault: 'consumer stopped (SIGSTOP) past its session timeout; a second consumer joins the group; the first resumes',
  needs: [],
  inject: async (world) => {
    world.consumer.pause();
    await sleep(world.sessionTimeoutMs + 2_000);
    await world.rival.start();
  },
  heal: async (world) => world.consumer.resume(),
};

// How long the consumer's bulk write may take to land in the store once its answers are held.
const WRITE_LANDS_WITHIN_MS = 30_000;

const killAfterWrite: Scenario = {
  name: 'consumer-kill-after-write',
  fault: "consumer SIGKILLed after a bulk write reached the store and before it heard back, so before its offset commit",
  needs: [],
  inject: async (world) => {
    const before = await world.storeCount();
    world.storeProxy.set('hold-replies');
    const deadline = Date.now() + WRITE_LANDS_WITHIN_MS;
    while ((await world.storeCount()) === before) {
      if (Date.now() > deadline) throw new Error(`no bulk write reached the store within ${WRITE_LANDS_WITHIN_MS} ms`);
      await sleep(20);
    }
    await world.consumer.kill();
    world.storeProxy.set('pass');
  },
  heal: (world) => world.consumer.start(),
};

const FILLER = 'docpipe-chaos-filler';

const diskFull: Scenario = {
  name: 'broker-disk-full',
  fault: "the partition leader's log directory (a tmpfs) filled to the last byte for the fault time; then freed, and the broker started again if it stopped",
  needs: ['stack'],
  inject: async (world) => {
    const dir = brokerDataDir(world, await world.partitionLeader());
    fill(join(dir, FILLER));
  },
  heal: async (world) => {
    const stack = stackOf(world);
    for (const dir of Object.values(stack.settings.kafkaDataDirs)) rmSync(join(dir, FILLER), { force: true });
    await stack.restart();
  },
};

function brokerDataDir(world: World, node: number): string {
  const dir = stackOf(world).settings.kafkaDataDirs[String(node)];
  if (dir === undefined) throw new Error(`the data folder of broker ${node} is not known`);
  return dir;
}

/** Writes zeros until the file system refuses (ENOSPC). */
function fill(file: string): void {
  const chunk = Buffer.alloc(1024 * 1024);
  const fd = openSync(file, 'w');
  try {
    for (let size = chunk.length; size >= 512; ) {
      try {
        writeSync(fd, chunk, 0, size);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        size = Math.floor(size / 2);
      }
    }
  } finally {
    closeSync(fd);
  }
}

export const SCENARIOS: readonly Scenario[] = [
  ...processFaults('ingest'),
  ...processFaults('consumer'),
  rivalConsumer,
  killAfterWrite,
  ...stackFaults('broker', BROKER),
  ...stackFaults('store', STORE),
  ...stackFaults('postgres', POSTGRES),
  diskFull,
  ...linkFaults('ingest-kafka', 'between ingest and every broker', (world) => world.kafkaProxies, ['kafka-proxy']),
  ...linkFaults('consumer-store', 'between the consumer and the store', (world) => [world.storeProxy], []),
];

/** The scenarios named, in the order given; every one of them when `names` is empty. */
export function selectScenarios(names: readonly string[]): Scenario[] {
  if (names.length === 0) return [...SCENARIOS];
  return names.map((name) => {
    const scenario = SCENARIOS.find((s) => s.name === name);
    if (scenario === undefined) throw new Error(`unknown chaos scenario '${name}'; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    return scenario;
  });
}
