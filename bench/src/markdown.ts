// bench/results/latest.md: the same figures as the JSON, ratios first. Pure.
import { MEASUREMENTS, type Comparison, type Goal, type Measurement, type RunResults, type Section } from './results.js';
import { PARTS, type Costs, type Part } from './costs.js';
import { growthMarkdown } from './growth.js';
import { SERIES, type Series, type SoakResult } from './soak.js';

const SECTION_TITLES: Record<Section, string> = {
  ceilings: 'Against the ceilings',
  peers: 'Against the peers',
  clients: 'The Kafka client libraries, side by side',
  goals: 'Goals',
};

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = (digits: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A count (replicas, partitions): a whole number, thousands separated. */
export const formatInteger = (value: number) => integer.format(value);

/** A figure for the table: thousands separated, small values with enough digits to compare. */
export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 100) return integer.format(value);
  if (abs >= 10) return decimal(1).format(value);
  return decimal(2).format(value);
}

function formatValue(c: Comparison): string {
  if (c.result === undefined) return '–';
  if (c.value.kind === 'ratio') return `${decimal(2).format(c.result)}×`;
  if (c.value.kind === 'cost') return `${decimal(1).format(c.result * 100)} %`;
  return formatNumber(c.result);
}

function formatGoal(c: Comparison): string {
  const goal: Goal | undefined = c.goal;
  if (!goal) return '';
  const op = goal.op === '>=' ? '≥' : goal.op === '<=' ? '≤' : '<';
  if (c.value.kind === 'ratio') return `${op} ${goal.target}×`;
  if (c.value.kind === 'cost') return `${op} ${goal.target * 100} %`;
  return `${op} ${formatNumber(goal.target)}`;
}

function verdict(c: Comparison): string {
  if (c.missing) return `not measured: ${c.missing}`;
  if (c.met === undefined) return '';
  return c.met ? 'met' : 'not met';
}

/** Table cells may not hold pipes or line breaks. */
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll(/\s*\n\s*/g, ' ');

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

const significant = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

/** A cost per document: three significant digits, as the costs span orders of magnitude. */
export const formatCost = (value: number) => significant.format(value);

/** Each part's CPU cost per document, or why the run cannot give it. */
export function costsTable(costs: Costs): string {
  const rows = (Object.keys(PARTS) as Part[]).map((part) => {
    const cost = costs.parts[part];
    const from = `${cost.from}, ${cost.process}`;
    if ('missing' in cost) return [PARTS[part].title, '–', from, `not measured: ${cost.missing}`];
    const basis = `${decimal(2).format(cost.cores)} cores × ${decimal(1).format(cost.seconds)} s / ${integer.format(cost.documents)} documents`;
    return [PARTS[part].title, formatCost(cost.coreMsPerDoc), from, basis];
  });
  return table(['part', 'core-ms per document', 'from', 'cores × seconds / documents'], rows);
}

function costsSection(costs: Costs | undefined): string {
  if (!costs) return '';
  const size = 'bytes' in costs.documentBytes ? `${integer.format(costs.documentBytes.bytes)} bytes (${costs.documentBytes.from})` : `unknown: ${costs.documentBytes.missing}`;
  return [
    '## Cost per document',
    '',
    'CPU per document of each part, from the cores its process kept busy during the measurement (a frame that two ' +
      'measurements share counts both their seconds, and a process serving both, both their documents). Mean record size: ' +
      `${size}. \`make capacity\` sizes a cluster from these (docs/capacity.md).`,
    '',
    costsTable(costs),
    '',
  ].join('\n');
}

function comparisonTables(comparisons: readonly Comparison[]): string {
  return (Object.keys(SECTION_TITLES) as Section[])
    .map((section) => {
      const rows = comparisons.filter((c) => c.section === section).map((c) => [c.title, formatValue(c), formatGoal(c), verdict(c)]);
      return `### ${SECTION_TITLES[section]}\n\n${table(['comparison', 'value', 'goal', ''], rows)}`;
    })
    .join('\n\n');
}

function measurementRow(m: Measurement): string[] {
  const { title, unit, group } = MEASUREMENTS[m.id];
  const load = m.loadAverage ? `${decimal(2).format(m.loadAverage.before)} → ${decimal(2).format(m.loadAverage.after)}` : '';
  const other = m.otherCpu === undefined ? '' : `${decimal(0).format(m.otherCpu * 100)} %`;
  if (m.status !== 'ok') return [group, title, `${m.status}: ${m.reason}`, '', '', '', '', '', other, load];
  const lat = m.latencyMs;
  return [
    group,
    title,
    `${formatNumber(m.throughput)} ${unit}`,
    lat ? formatNumber(lat.p50) : '',
    lat ? formatNumber(lat.p95) : '',
    lat ? formatNumber(lat.p99) : '',
    integer.format(m.count),
    decimal(1).format(m.seconds),
    other,
    load,
  ];
}

/** Per measurement, the cores each of the benchmark's processes kept busy: where its time went. */
function coresSection(measurements: readonly Measurement[]): string {
  const rows = measurements.flatMap((m) =>
    m.cores && Object.keys(m.cores).length > 0
      ? [[MEASUREMENTS[m.id].title, Object.entries(m.cores).map(([name, used]) => `${name} ${decimal(2).format(used)}`).join(', ')]]
      : [],
  );
  if (rows.length === 0) return '';
  return [
    '## CPU by process',
    '',
    'Cores each process kept busy on average during the measurement (1.00 = one core all the time; the machine has ' +
      'as many as its core count). A server near 1.00 is single-threaded and saturated; the sum near the core count ' +
      'means the machine was.',
    '',
    table(['measurement', 'cores used'], rows),
    '',
  ].join('\n');
}

function profileSection(results: RunResults): string {
  return [profileOf(results.ingestProfile, 'single-document'), profileOf(results.ingestBatchProfile, 'batch')].join('');
}

function profileOf(p: RunResults['ingestProfile'], kind: string): string {
  if (!p) return '';
  const heading = `## Where ingest's time goes: a ${kind} run`;
  if ('unavailable' in p) return `${heading}\n\nNo profile: ${p.unavailable}\n`;
  const areas = table(
    ['self time', 'area'],
    p.byArea.map((a) => [`${decimal(1).format(a.percent)} %`, a.name]),
  );
  const functions = table(
    ['self time', 'function'],
    p.topFunctions.map((f) => [`${decimal(1).format(f.percent)} %`, `\`${f.name}\``]),
  );
  const perRequest = p.batchSize && p.batchSize > 1 ? `, ${integer.format(p.batchSize)} documents per request` : '';
  return [
    heading,
    '',
    `\`node --cpu-prof\` of ingest during a ${kind} run with JWT of its own${perRequest} (\`${p.file}\`), ` +
      `after a warm-up: ${decimal(1).format(p.wallSeconds)} s wall, ${decimal(1).format(p.cpuSeconds)} s on the CPU` +
      `${p.docsPerSecond ? `, ${integer.format(p.docsPerSecond)} docs/s under the profiler` : ''}. Shares are of the profiled wall time.`,
    '',
    areas,
    '',
    functions,
    '',
  ].join('\n');
}

function soakRateSource(s: SoakResult): string {
  const source = s.rateSource;
  if (source.kind === 'knob') return 'set by BENCH_SOAK_RATE';
  if (source.kind === 'ingest') return `half the ${integer.format(source.capacity)} docs/s of ingest's single-document run with JWT in this run`;
  return `half the ${integer.format(source.capacity)} docs/s of a short capacity probe of ingest alone, as docpipe.single.auth did not run`;
}

const signed = (value: number) => `${value > 0 ? '+' : ''}${formatNumber(value)}`;

function soakSection(results: RunResults): string {
  const s = results.soak;
  if (!s) return '';
  if ('unavailable' in s) return `## Soak\n\n**The soak did not run**: ${s.unavailable}\n`;
  const figure = (value: number | undefined) => (value === undefined ? '–' : formatNumber(value));
  const rows = (Object.keys(SERIES) as Series[]).map((name) => {
    const { perMinute, start, end, max, peakRise } = s.series[name];
    const change = (value: number | undefined) => (value === undefined ? '–' : signed(value));
    return [`${SERIES[name].title}, ${SERIES[name].unit}`, figure(start), figure(end), figure(max), change(peakRise), change(perMinute)];
  });
  const lagEnd = s.series.lagRecords.end;
  const verdict =
    s.accepted === s.stored ? `**accepted = stored** (${integer.format(s.accepted)})` : `**accepted ≠ stored**: ${integer.format(s.accepted)} accepted, ${integer.format(s.stored)} stored`;
  return [
    '## Soak',
    '',
    ...(s.status === 'failed' ? [`**The soak FAILED**: ${s.problems.join('; ')}`, ''] : []),
    `${s.seconds} s at ${integer.format(s.rate)} documents/s (${soakRateSource(s)}), single documents with JWT through ingest and the ` +
      `consumer running together: ${verdict} once the consumer group had committed the whole topic` +
      `${s.catchUpSeconds === undefined ? '' : `, ${decimal(1).format(s.catchUpSeconds)} s after the last answer`}. ` +
      `Accepted ${formatNumber(s.achievedRate)} docs/s, p99 ${formatNumber(s.latencyMs.p99)} ms per request.` +
      (lagEnd === undefined ? '' : ` The group's lag at the end: ${integer.format(lagEnd)} records, ${decimal(2).format(lagEnd / s.rate)} s of documents at the rate.`),
    '',
    `Sampled once a second. Slopes are least-squares fits from ${integer.format(s.fitFromSeconds)} s on (the start-up before it is left out); ` +
      'start and end are the means of the fitted window\'s first and last tenths; peak rise is the maximum of its second half less ' +
      'that of its first (a leak raises the peaks; a heap\'s sawtooth moves the slope with its phase at the end but not the peaks). ' +
      'Chart: `latest-soak.svg` (`<start time>-soak.svg` for a partial run).',
    '',
    table(['series', 'start', 'end', 'max', 'peak rise', 'slope per minute'], rows),
    '',
    ...(s.status === 'ok' && s.problems.length > 0 ? [`Load client: ${s.problems.join('; ')}`, ''] : []),
  ].join('\n');
}

/** The whole report. */
export function renderMarkdown(results: RunResults): string {
  const { machine, versions, parameters } = results;
  const gib = (bytes: number) => `${decimal(1).format(bytes / 2 ** 30)} GiB`;
  const measurementHeader = ['group', 'measurement', 'throughput', 'p50 ms', 'p95 ms', 'p99 ms', 'count', 'seconds', 'other CPU', 'load avg'];
  return [
    '# Docpipe benchmark',
    '',
    `Run ${results.startedAt} → ${results.finishedAt} on ${machine.cpuModel} (${machine.cores} cores, ${gib(machine.memoryBytes)}), ` +
      `${machine.os}, kernel ${machine.kernel}. "other CPU" is the share of the machine's CPU that processes outside the benchmark ` +
      'used during each measurement (0 % on a quiet machine); the load average (1 minute, before → after) includes the benchmark itself.',
    '',
    '## Ratios',
    '',
    comparisonTables(results.comparisons),
    '',
    '## Measurements',
    '',
    table(measurementHeader, results.measurements.map(measurementRow)),
    '',
    ...results.measurements.flatMap((m) =>
      m.status === 'ok' && m.notes?.length ? [`- ${MEASUREMENTS[m.id].title}: ${m.notes.join('; ')}`] : [],
    ),
    '',
    coresSection(results.measurements),
    costsSection(results.costs),
    profileSection(results),
    growthMarkdown(results.growth),
    soakSection(results),
    '## Versions',
    '',
    table(['component', 'version'], Object.entries(versions)),
    '',
    '## Parameters',
    '',
    table(['parameter', 'value'], Object.entries(parameters).map(([k, v]) => [k, String(v)])),
    '',
  ]
    .join('\n')
    .replaceAll(/\n{3,}/g, '\n\n');
}
