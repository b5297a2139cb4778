/**
 * handleSummary for every scenario: the full summary data as JSON in a file, and a text summary
 * on stdout. k6's own text summary is not importable offline (it lives on jslib.k6.io), so this
 * prints a compact one: thresholds first, then every metric.
 */

interface Metric {
  readonly type: 'counter' | 'gauge' | 'rate' | 'trend';
  readonly contains: 'default' | 'time' | 'data';
  readonly values: Readonly<Record<string, number>>;
  readonly thresholds?: Readonly<Record<string, { readonly ok: boolean }>>;
}

export interface SummaryData {
  readonly metrics: Readonly<Record<string, Metric>>;
  readonly state: { readonly testRunDurationMs: number };
}

/** Percentiles shown for every trend (k6 shows p(90) and p(95) only by default). */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

/**
 * The handleSummary export of a scenario. The JSON goes to SUMMARY_JSON, by default
 * load/results/<scenario>.json (resolved from this file, so the working directory does not matter).
 */
export function summaryHandler(scenario: string, extra?: (data: SummaryData) => string) {
  return (data: SummaryData): Record<string, string> => {
    const path = __ENV['SUMMARY_JSON'] || decodeURIComponent(import.meta.resolve(`../../results/${scenario}.json`).replace(/^file:\/\//, ''));
    return { stdout: textSummary(scenario, data) + (extra ? extra(data) : '') + `\n  summary JSON: ${path}\n`, [path]: JSON.stringify(data, null, 2) };
  };
}

export function textSummary(scenario: string, data: SummaryData): string {
  const names = Object.keys(data.metrics).sort();
  // Rules like "count>=0" only make k6 keep a submetric for the summary (see ramp.ts); not listed.
  const checked = names.flatMap((name) =>
    Object.entries(data.metrics[name]?.thresholds ?? {})
      .filter(([rule]) => !rule.endsWith('>=0'))
      .map(([rule, { ok }]) => ({ name, rule, ok })),
  );
  const failed = checked.filter((t) => !t.ok).length;
  let text = `\n${scenario}: ${(data.state.testRunDurationMs / 1000).toFixed(1)} s, `;
  text += checked.length === 0 ? 'no thresholds\n' : failed === 0 ? `all ${checked.length} thresholds passed\n` : `${failed} of ${checked.length} thresholds FAILED\n`;
  for (const t of checked) text += `  ${t.ok ? '✓' : '✗'} ${t.name} ${t.rule}\n`;
  text += '\n';
  const width = Math.max(...names.map((n) => n.length));
  for (const name of names) text += `  ${name.padEnd(width, '.')} ${formatValues(data.metrics[name] as Metric)}\n`;
  return text;
}

function formatValues(metric: Metric): string {
  const v = metric.values;
  const unit = (x: number | undefined) => format(x ?? 0, metric.contains);
  switch (metric.type) {
    case 'counter':
      return `${unit(v['count'])}  ${metric.contains === 'default' ? (v['rate'] ?? 0).toFixed(1) : unit(v['rate'])}/s`;
    case 'rate':
      return `${((v['rate'] ?? 0) * 100).toFixed(2)}%  ${v['passes']} of ${(v['passes'] ?? 0) + (v['fails'] ?? 0)}`;
    case 'gauge':
      return `${unit(v['value'])}  min ${unit(v['min'])}  max ${unit(v['max'])}`;
    case 'trend':
      return SUMMARY_TREND_STATS.map((stat) => `${stat}=${unit(v[stat])}`).join('  ');
  }
}

export function format(value: number, contains: Metric['contains'] = 'default'): string {
  if (contains === 'time') return value >= 1000 ? `${(value / 1000).toFixed(2)}s` : `${value.toFixed(value < 10 ? 2 : 1)}ms`;
  if (contains === 'data') return value >= 1048576 ? `${(value / 1048576).toFixed(1)} MiB` : `${(value / 1024).toFixed(1)} KiB`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}
