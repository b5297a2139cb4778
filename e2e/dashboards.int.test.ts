import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { generateDocuments } from '@docpipe/load/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, dashboards, panelQueries } from '../cdk8s/src/monitoring/dashboards.js';
import { requireStackEnv, ServiceProcess, waitFor } from '@docpipe/testing';

// Every query of every Grafana dashboard, run against the local stack's Prometheus while the
// pipeline takes a short load: a panel that shows nothing here would show nothing in the cluster.
const env = requireStackEnv(['PORT', 'METRICS_PORT', 'PROMETHEUS_URL']);
const prometheus = env.PROMETHEUS_URL;
const api = `http://127.0.0.1:${env.PORT}`;
const queries = dashboards.flatMap((spec) => panelQueries(buildDashboard(spec)));

let ingest: ServiceProcess;
let consumer: ServiceProcess;

async function instant(expr: string): Promise<unknown[]> {
  const url = `${prometheus}/api/v1/query?query=${encodeURIComponent(expr.replaceAll('$__rate_interval', '1m'))}`;
  const body = (await (await fetch(url)).json()) as { status: string; error?: string; data?: { result: unknown[] } };
  if (body.status !== 'success') throw new Error(`Prometheus refused ${expr}: ${body.error}`);
  return body.data?.result ?? [];
}

async function sendLoad(seconds: number): Promise<void> {
  const credentials = JSON.stringify({ username: `dash-${randomUUID().slice(0, 8)}`, password: randomUUID() });
  const json = { 'content-type': 'application/json' };
  expect((await fetch(`${api}/v1/users`, { method: 'POST', headers: json, body: credentials })).status).toBe(201);
  const token = (await (await fetch(`${api}/v1/token`, { method: 'POST', headers: json, body: credentials })).json()) as { access_token: string };
  const headers = { authorization: `Bearer ${token.access_token}` };
  const docs = generateDocuments(seconds * 100, { seed: 99 });
  // Spread over several scrapes, so that rate() has two samples to work with.
  for (let s = 0; s < seconds; s++) {
    const slice = docs.slice(s * 100, (s + 1) * 100);
    await Promise.all(slice.slice(0, 50).map((d) => fetch(`${api}/v1/documents`, { method: 'POST', headers: { ...headers, ...json }, body: JSON.stringify(d.doc) })));
    const batch = slice.slice(50).map((d) => JSON.stringify(d.doc)).join('\n');
    await fetch(`${api}/v1/documents/batch`, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-ndjson' }, body: batch });
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

beforeAll(async () => {
  consumer = await ServiceProcess.start('consumer', `http://127.0.0.1:${env.METRICS_PORT}/readyz`);
  ingest = await ServiceProcess.start('ingest', `${api}/readyz`);
  // The users panel shows what user-counter stored; run it once as its CronJob would.
  execFileSync(process.execPath, ['services/jobs/dist/main.js', 'user-counter'], { cwd: new URL('..', import.meta.url), env: process.env });
  await sendLoad(20);
}, 180_000);

afterAll(async () => {
  await ingest?.stop();
  await consumer?.stop();
});

describe('dashboard queries on live data', () => {
  it('lists the queries of both dashboards', () => {
    expect(new Set(queries.map((q) => q.dashboard))).toEqual(new Set(['docpipe-pipeline', 'docpipe-kafka']));
  });

  it.each(queries.map((q) => [`${q.dashboard} / ${q.panel} (${q.refId})`, q.expr]))('%s returns data', { timeout: 60_000 }, async (_name, expr) => {
    await waitFor(`data for ${expr}`, async () => (await instant(expr)).length > 0, 45_000, 1000);
  });
});
