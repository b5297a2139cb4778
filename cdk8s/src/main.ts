// `cdk8s synth` entry point: writes dist/<env>/*.k8s.yaml for every environment, the alert rules
// as a plain Prometheus rule file and the dashboards as JSON.
import { App, YamlOutputType } from 'cdk8s';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { buildCharts } from './charts.js';
import { environments, type EnvironmentConfig } from './config.js';
import { buildDashboard, dashboards } from './monitoring/dashboards.js';
import { ruleFile } from './monitoring/monitoring.js';

export const defaultOutdir = resolve(fileURLToPath(new URL('..', import.meta.url)), 'dist');

/** Synthesizes one environment's manifests into `outdir`. */
export function synthEnvironment(env: EnvironmentConfig, outdir: string): App {
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.k8s.yaml' });
  buildCharts(app, env);
  app.synth();
  return app;
}

/** Everything `make synth` produces, under `outdir`. */
export function synthAll(outdir = defaultOutdir, imageTag = process.env.DOCPIPE_IMAGE_TAG): void {
  rmSync(outdir, { recursive: true, force: true });
  for (const env of Object.values(environments)) {
    synthEnvironment(imageTag ? { ...env, imageTag } : env, join(outdir, env.name));
  }
  mkdirSync(join(outdir, 'prometheus'), { recursive: true });
  writeFileSync(join(outdir, 'prometheus', 'rules.yaml'), stringify(ruleFile()));
  mkdirSync(join(outdir, 'dashboards'), { recursive: true });
  for (const spec of dashboards) {
    writeFileSync(join(outdir, 'dashboards', `${spec.uid}.json`), `${JSON.stringify(buildDashboard(spec), null, 2)}\n`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  synthAll(process.env.CDK8S_OUTDIR ? resolve(process.env.CDK8S_OUTDIR) : defaultOutdir);
}
