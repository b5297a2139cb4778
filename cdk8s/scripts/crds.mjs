// Where the pinned CRDs are read from: one rule shared by `npm run import` and the tests.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * DOCPIPE_CRDS_DIR (relative to the repo root) if set, else ../shared/crds, else the copy that
 * `make crds` downloads into the cache.
 */
export function crdsDir() {
  const candidates = process.env.DOCPIPE_CRDS_DIR
    ? [process.env.DOCPIPE_CRDS_DIR]
    : ['../shared/crds', join(process.env.DOCPIPE_CACHE ?? '.cache', 'crds')];
  for (const c of candidates) {
    const dir = resolve(repoRoot, c);
    if (existsSync(dir)) return dir;
  }
  throw new Error(
    `No CRD folder: looked in ${candidates.join(', ')} (relative to ${repoRoot}). ` +
      'Run `make crds` to download the pinned CRDs, or set DOCPIPE_CRDS_DIR.',
  );
}

function yamlFiles(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return yamlFiles(path);
      return /\.ya?ml$/.test(name) ? [path] : [];
    });
}

/** Every CustomResourceDefinition under the folder, with the file it came from. */
export function loadCrds(dir = crdsDir()) {
  return yamlFiles(dir).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return parseAllDocuments(text)
      .map((d) => d.toJS())
      .filter((d) => d?.kind === 'CustomResourceDefinition')
      .map((crd) => ({ file, text, crd }));
  });
}

/** The kinds the charts use; the others (KafkaConnect, MirrorMaker2...) would only slow the import. */
export const usedKinds = [
  'Kafka',
  'KafkaNodePool',
  'KafkaTopic',
  'KafkaUser',
  'ServiceMonitor',
  'PodMonitor',
  'PrometheusRule',
  'ScaledObject',
  'TriggerAuthentication',
];
