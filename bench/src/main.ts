// `make bench` (through bench/run.sh, which starts the bench stack): every measurement in one run,
// one at a time, then bench/results/{<time>.json, latest.json, latest.md, latest.svg}.
// The order keeps like with like: ceilings, the HTTP side (ingest, then its peer, with no consumer
// running), the drains of one pre-filled topic (consumer, then its peer), the seed replay.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartSpec, renderSvg } from './chart.js';
import { readContext } from './context.js';
import { envelopes } from './documents.js';
import { profileIngest } from './ingest-profile.js';
import { machine, versions } from './machine.js';
import { renderMarkdown } from './markdown.js';
import { log } from './measure.js';
import { PHASES, readOptions, type Phase } from './options.js';
import { ceilings } from './phases/ceilings.js';
import { drains } from './phases/drains.js';
import { bridgeRuns, ingestRuns } from './phases/http.js';
import { seedReplay } from './phases/seed-replay.js';
import { transforms } from './phases/transform.js';
import { Pipeline } from './pipeline.js';
import { assemble, type Measurement, type RunResults } from './results.js';

async function main(): Promise<void> {
  const ctx = readContext();
  const o = readOptions();
  mkdirSync(ctx.workDir, { recursive: true });
  mkdirSync(ctx.resultsDir, { recursive: true });
  const startedAt = new Date().toISOString();
  log(`run folder ${ctx.workDir}`);
  const items = envelopes(Math.max(o.drainDocs, o.storeDocs, 10_000), o.seed);
  const pipeline = await Pipeline.connect(ctx);
  const measurements: Measurement[] = [];
  let ingestProfile: RunResults['ingestProfile'];
  try {
    const runs = (phase: Phase) => o.phases.includes(phase);
    if (runs('transform')) measurements.push(...(await transforms(ctx, o, items)));
    if (runs('ceilings')) measurements.push(...(await ceilings(ctx, o, pipeline, items)));
    if (runs('ingest')) {
      await pipeline.reset();
      measurements.push(...(await ingestRuns(ctx, o)));
      ingestProfile = await profileIngest(ctx, o);
    }
    if (runs('bridge')) {
      await pipeline.reset();
      measurements.push(...(await bridgeRuns(ctx, o)));
    }
    if (runs('drains')) measurements.push(...(await drains(ctx, o, pipeline, items)));
    if (runs('seed')) measurements.push(await seedReplay(ctx, o, pipeline));
  } finally {
    await pipeline.close();
  }

  const results = assemble({
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machine(),
    versions: await versions(ctx),
    parameters: { ...o, phases: o.phases.join(','), documentsPartitions: ctx.documentsPartitions, stackProfile: process.env['DOCPIPE_PROFILE'] ?? 'bench' },
    measurements,
    ...(ingestProfile ? { ingestProfile } : {}),
  });
  const stamp = startedAt.replaceAll(/[:.]/g, '-');
  const json = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(join(ctx.resultsDir, `${stamp}.json`), json);
  if (o.phases.length < PHASES.length) {
    // A partial run (BENCH_ONLY) is for development: latest.* keeps the last whole run.
    writeFileSync(join(ctx.resultsDir, `${stamp}.md`), renderMarkdown(results));
    log(`results of a partial run (${o.phases.join(', ')}): bench/results/${stamp}.json, ${stamp}.md`);
    return;
  }
  writeFileSync(join(ctx.resultsDir, 'latest.json'), json);
  writeFileSync(join(ctx.resultsDir, 'latest.md'), renderMarkdown(results));
  writeFileSync(join(ctx.resultsDir, 'latest.svg'), await renderSvg(chartSpec(results)));
  log(`results: bench/results/${stamp}.json, latest.json, latest.md, latest.svg`);
}

await main();
