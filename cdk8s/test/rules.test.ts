import './support/prepare.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ruleGroups } from '../src/monitoring/alerts.js';
import { buildDashboard, dashboards, panelQueries } from '../src/monitoring/dashboards.js';
import { ruleFile } from '../src/monitoring/monitoring.js';

// promtool comes from Debian's prometheus package (scripts/install/prometheus.sh installs it).
beforeAll(() => {
  const found = spawnSync('sh', ['-c', 'command -v promtool']).status === 0;
  if (!found) execFileSync('bash', ['-c', `source ${fileURLToPath(new URL('../../scripts/lib.sh', import.meta.url))} && apt_install prometheus`], { stdio: 'inherit' });
}, 600_000);

function promtool(...args: string[]) {
  const r = spawnSync('promtool', args, { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

function workdir(rules: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'docpipe-rules-'));
  writeFileSync(join(dir, 'rules.yaml'), stringify(rules));
  copyFileSync(fileURLToPath(new URL('rules.test.yaml', import.meta.url)), join(dir, 'rules.test.yaml'));
  return dir;
}

describe('alert rules', () => {
  it('pass promtool check rules', () => {
    const dir = workdir(ruleFile());
    const r = promtool('check', 'rules', join(dir, 'rules.yaml'));
    expect(r.output).toContain(`SUCCESS: ${ruleGroups.flatMap((g) => g.rules).length} rules found`);
    expect(r.ok).toBe(true);
  });

  it('pass their promtool unit tests (each alert firing and not firing)', () => {
    const dir = workdir(ruleFile());
    const r = promtool('test', 'rules', join(dir, 'rules.test.yaml'));
    expect(r.output).toContain('SUCCESS');
    expect(r.ok).toBe(true);
  });

  it('have a promtool test for every alert', () => {
    const tests = execFileSync('cat', [fileURLToPath(new URL('rules.test.yaml', import.meta.url))], { encoding: 'utf8' });
    for (const rule of ruleGroups.flatMap((g) => g.rules)) expect(tests).toContain(`alertname: ${rule.alert}`);
  });

  it('fail promtool when an expression is broken or an alert changes', () => {
    const broken = { groups: [{ name: 'x', rules: [{ alert: 'Broken', expr: 'sum(rate(x[5m])' }] }] };
    expect(promtool('check', 'rules', join(workdir(broken), 'rules.yaml')).ok).toBe(false);
    // Same tests against rules with a raised threshold: the "fires" cases must now fail.
    const loosened = {
      groups: ruleGroups.map((g) => ({ ...g, rules: g.rules.map((r) => ({ ...r, expr: r.expr.replace('> 0.05', '> 0.9') })) })),
    };
    const r = promtool('test', 'rules', join(workdir(loosened), 'rules.test.yaml'));
    expect(r.ok).toBe(false);
    expect(r.output).toContain('DocpipeIngestHighErrorRate');
  });
});

describe('dashboard queries', () => {
  const queries = dashboards.flatMap((d) => panelQueries(buildDashboard(d)));

  it('are listed for every panel of both dashboards', () => {
    expect(new Set(queries.map((q) => q.dashboard))).toEqual(new Set(['docpipe-pipeline', 'docpipe-kafka']));
    for (const d of dashboards) {
      for (const p of d.panels) expect(queries.some((q) => q.panel === p.title)).toBe(true);
    }
  });

  it('are valid PromQL (checked by promtool as recording rules)', () => {
    const rules = {
      groups: [
        {
          name: 'dashboards',
          rules: queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: q.expr.replaceAll('$__rate_interval', '5m') })),
        },
      ],
    };
    const r = promtool('check', 'rules', join(workdir(rules), 'rules.yaml'));
    expect(r.output).toContain('SUCCESS');
    expect(r.ok).toBe(true);
  });

  it('use only contract, Kafka JMX and kafka_exporter metric names', () => {
    const known =
      /^(ingest_|consumer_|kafka_server_brokertopicmetrics_|kafka_server_replicamanager_|kafka_network_requestmetrics_|kafka_consumergroup_)/;
    const functions = new Set(['sum', 'rate', 'by', 'histogram_quantile', 'max', 'le', 'route', 'topic', 'endpoint', 'reason', 'collection', 'request', 'consumergroup']);
    const names = queries.flatMap((q) => [...q.expr.replace(/\{[^}]*\}/g, '').replace(/\[[^\]]*\]/g, '').matchAll(/[a-z_][a-z0-9_]*/g)].map((m) => m[0]));
    expect(names.filter((n) => !functions.has(n) && !known.test(n))).toEqual([]);
  });
});
