// `make capacity`: sizes a cluster for each of TARGET_RATES (documents per second) from a bench
// run's costs per document (bench/results/latest.json unless a file is given), and says which of
// those rates the production environment's settings carry. Prints Markdown; docs/capacity.md
// explains the model.
//
//   node bench/dist/capacity-cli.js [results.json] [--<assumption>=<number> ...]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { environments } from '@docpipe/cdk8s/lib/src/config.js';
import {
  ASSUMPTION_TITLES,
  assumptions,
  DEFAULT_ASSUMPTIONS,
  documentBytes,
  productionCapacity,
  productionOf,
  sizeFor,
  TARGET_RATES,
  type Assumptions,
  type Figure,
  type Limit,
  type Production,
  type Sized,
} from './capacity.js';
import { costsOf, type Costs } from './costs.js';
import { invoices } from './documents.js';
import { costsTable, formatCost, formatInteger, formatNumber, table } from './markdown.js';
import type { RunResults } from './results.js';

const USAGE = `usage: capacity-cli [results.json] [--<assumption>=<number> ...]; assumptions: ${Object.keys(ASSUMPTION_TITLES).join(', ')}`;

/** The results file and the assumptions' overrides from the command line. */
function parseArgs(args: readonly string[]): { file?: string; overrides: Partial<Assumptions> } {
  const overrides: Record<string, number> = {};
  let file: string | undefined;
  for (const arg of args) {
    const flag = /^--([A-Za-z]+)=(.+)$/.exec(arg);
    if (flag) {
      const [, key = '', text = ''] = flag;
      const value = Number(text);
      if (!(key in ASSUMPTION_TITLES) || !Number.isFinite(value)) throw new Error(`${arg}: ${USAGE}`);
      overrides[key] = value;
    } else if (arg.startsWith('-') || file !== undefined) {
      throw new Error(`${arg}: ${USAGE}`);
    } else {
      file = arg;
    }
  }
  return { ...(file ? { file } : {}), overrides };
}

const figure = (f: Figure, format: (value: number) => string = formatNumber) => ('missing' in f ? `– (${f.missing})` : format(f.value));
const replicas = (s: Sized) => ('missing' in s ? `– (${s.missing})` : formatInteger(s.replicas));
const cores = (s: Sized) => ('missing' in s ? '–' : formatNumber(s.cores));
const megabytes = (bytes: number) => formatNumber(bytes / 1e6);

function assumptionsTable(a: Assumptions, costs: Costs): string {
  const rows = (Object.keys(ASSUMPTION_TITLES) as (keyof Assumptions)[]).map((key) => {
    const value = key === 'documentBytes' ? figure(documentBytes(costs, a)) + (a.documentBytes === undefined ? ' (the run\u2019s mean record)' : '') : String(a[key]);
    const changed = key !== 'documentBytes' && a[key] !== DEFAULT_ASSUMPTIONS[key] ? ` (default ${String(DEFAULT_ASSUMPTIONS[key])})` : '';
    return [`\`${key}\``, ASSUMPTION_TITLES[key], `${value}${changed}`];
  });
  return table(['assumption', 'meaning', 'value'], rows);
}

function sizingTable(costs: Costs, a: Assumptions): string {
  const rows = TARGET_RATES.map((rate) => {
    const s = sizeFor(rate, costs, a);
    const shards = 'missing' in s.store ? replicas(s.store) : `${formatInteger(s.store.replicas)} (${formatInteger(s.store.replicas * a.membersPerShard)} members)`;
    return [
      formatInteger(rate),
      replicas(s.ingest),
      figure(s.partitions, formatInteger),
      replicas(s.consumer),
      replicas(s.brokers),
      shards,
      [s.ingest, s.brokers, s.consumer, s.store].map(cores).join(' / '),
      figure(s.brokerInBytesPerSecond, megabytes),
    ];
  });
  return table(['documents/s', 'ingest pods', 'partitions', 'consumer pods', 'Kafka brokers', 'MongoDB shards', 'cores: ingest / brokers / consumer / store', 'MB/s into each broker'], rows);
}

const LIMIT_SETTINGS: Record<Limit, (p: Production) => string> = {
  ingest: (p) => `${p.ingest.maxReplicas} pods (HPA max) × ${formatCost(p.ingest.cpuLimitCores)} core (limit)`,
  consumer: (p) => `min(${p.consumer.maxReplicas} (KEDA max), ${p.consumer.partitions} partitions) pods × ${formatCost(p.consumer.cpuLimitCores)} core (limit)`,
  brokers: (p) => `${p.kafka.brokers} brokers × ${formatCost(p.kafka.cpuLimitCores)} cores (limit), replication factor ${p.kafka.replicationFactor}`,
  store: (p) => `${p.mongodb.shards} replica set of ${p.mongodb.members} (not sharded), primary × ${formatCost(p.mongodb.cpuLimitCores)} cores (limit)`,
};

function productionSection(p: Production, costs: Costs, a: Assumptions): string {
  const c = productionCapacity(p, costs, a);
  const rows = (Object.keys(c.byPart) as Limit[]).map((part) => [part, LIMIT_SETTINGS[part](p), figure(c.byPart[part], formatInteger)]);
  const targets = (carried: number) => TARGET_RATES.map((rate) => `${formatInteger(rate)} ${rate <= carried ? 'yes' : 'no'}`).join(', ');
  const verdict =
    c.rate === undefined || c.limitedBy === undefined
      ? 'Which rates production carries is unknown: a part\u2019s cost is missing.'
      : `On their cores, production's settings carry about **${formatInteger(c.rate)} documents/s**, limited by ${c.limitedBy}: ${targets(c.rate)}.`;
  const disk =
    'missing' in c.kafkaDisk
      ? `The brokers' disks: unknown (${c.kafkaDisk.missing}).`
      : `The brokers' disks (${p.kafka.brokers} × ${formatNumber(p.kafka.storageBytes / 2 ** 30)} GiB, every record ${p.kafka.replicationFactor} times for ` +
        `${p.kafka.retentionDays} days) hold **${formatInteger(c.kafkaDisk.value)} documents/s** on average over the retention: ${targets(c.kafkaDisk.value)}.`;
  return [
    `## Production (cdk8s \`production\`, pipeline \`${invoices.name}\`)`,
    '',
    table(['part', 'settings', 'documents/s it carries'], rows),
    '',
    verdict,
    '',
    disk,
    '',
    `ingest's HPA adds pods at ${formatInteger(p.ingest.hpaCpuUtilization * 100)} % of a ${formatCost(p.ingest.cpuRequestCores)}-core request: at its ${p.ingest.maxReplicas} pods ` +
      `that is ${figure(c.ingestAtHpaTarget, formatInteger)} documents/s; above it the pods burst towards their limits where the nodes have cores to spare.`,
    '',
  ].join('\n');
}

function render(file: string, results: RunResults, a: Assumptions): string {
  const costs = results.costs ?? costsOf(results.measurements);
  const p = productionOf(environments.production, invoices);
  const { machine } = results;
  return [
    '# Capacity',
    '',
    `From \`${file}\`: run ${results.startedAt} on ${machine.cpuModel} (${machine.cores} cores).` +
      (results.costs ? '' : ' The run predates the costs in results: computed from its measurements.'),
    '',
    '## Cost per document',
    '',
    costsTable(costs),
    '',
    '## Assumptions',
    '',
    assumptionsTable(a, costs),
    '',
    '## Cluster for each rate',
    '',
    `replicas = ceil(rate × core-ms per document / 1000 / (cores per replica × (1 − ${formatCost(a.headroom)}))); ` +
      `brokers at least the replication factor; partitions = consumer pods × ${a.partitionsPerConsumer}, at least the brokers, in multiples of the brokers.`,
    '',
    sizingTable(costs, a),
    '',
    productionSection(p, costs, a),
  ].join('\n');
}

function main(): void {
  const { file, overrides } = parseArgs(process.argv.slice(2));
  const path = file ?? fileURLToPath(new URL('../results/latest.json', import.meta.url));
  const results = JSON.parse(readFileSync(path, 'utf8')) as RunResults;
  const shown = relative(process.cwd(), path);
  process.stdout.write(render(shown.startsWith('..') ? path : shown, results, assumptions(overrides)));
}

try {
  main();
} catch (error) {
  process.stderr.write(`capacity: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
