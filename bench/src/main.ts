// `make bench` (through bench/run.sh, which starts the bench stack): every measurement in one run,
// one at a time, then bench/results/{<time>.json, latest.json, latest.md, latest.svg, latest-growth.svg,
// latest-soak.svg}.
// The order keeps like with like: ceilings, the HTTP side (ingest, then its peer, with no consumer
// running), the drains of one pre-filled topic (consumer, then its peer), both Kafka client
// libraries side by side, the seed replay, the store as it grows, and the soak last, at half the
// capacity measured before it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartSpec, renderSvg, soakChartSpec } from './chart.js';
import type { TopLevelSpec } from 'vega-lite';
import { readContext } from './context.js';
import { growthChartSpec } from './growth.js';
import { envelopes } from './documents.js';
import { profileIngest } from './ingest-profile.js';
import { machine, versions } from './machine.js';
import { renderMarkdown } from './markdown.js';
import { log } from './measure.js';
import { PHASES, readOptions, type Phase } from './options.js';
import { ceilings } from './phases/ceilings.js';
import { drains } from './phases/drains.js';
import { growth } from './phases/growth.js';
import { kafkaClients } from './phases/kafka-client.js';
import { bridgeRuns, ingestRuns } from './phases/http.js';
import { seedReplay } from './phases/seed-replay.js';
import { soak } from './phases/soak.js';
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
  let ingestBatchProfile: RunResults['ingestBatchProfile'];
  let growthResult: RunResults['growth'];
  let soakResult: RunResults['soak'];
  try {
    const runs = (phase: Phase) => o.phases.includes(phase);
    if (runs('transform')) measurements.push(...(await transforms(ctx, o, items)));
    if (runs('ceilings')) measurements.push(...(await ceilings(ctx, o, pipeline, items)));
    if (runs('ingest')) {
      await pipeline.reset();
      measurements.push(...(await ingestRuns(ctx, o)));
      ingestProfile = await profileIngest(ctx, o, { batchSize: 1, documents: o.profileDocs });
      // A batch run as long as the single one: its documents go through many times faster.
      ingestBatchProfile = await profileIngest(ctx, o, { batchSize: o.batchSize, documents: o.profileBatchDocs });
    }
    if (runs('bridge')) {
      await pipeline.reset();
      measurements.push(...(await bridgeRuns(ctx, o)));
    }
    if (runs('drains')) measurements.push(...(await drains(ctx, o, pipeline, items)));
    if (runs('kafka-client')) measurements.push(...(await kafkaClients(ctx, o, pipeline, items)));
    if (runs('seed')) measurements.push(await seedReplay(ctx, o, pipeline));
    if (runs('growth')) growthResult = await growth(ctx, o, pipeline);
    // Last: its rate is half the capacity measured above (docpipe.single.auth) when that ran.
    if (runs('soak')) soakResult = await soak(ctx, o, pipeline, measurements);
  } finally {
    await pipeline.close();
  }

  const results = assemble({
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machine(),
    versions: await versions(ctx),
    parameters: { ...o, phases: o.phases.join(','), growthSizes: o.growthSizes.join(','), documentsPartitions: ctx.documentsPartitions, stackProfile: process.env['DOCPIPE_PROFILE'] ?? 'bench' },
    measurements,
    ...(ingestProfile ? { ingestProfile } : {}),
    ...(ingestBatchProfile ? { ingestBatchProfile } : {}),
    ...(growthResult ? { growth: growthResult } : {}),
    ...(soakResult ? { soak: soakResult } : {}),
  });
  const stamp = startedAt.replaceAll(/[:.]/g, '-');
  const json = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(join(ctx.resultsDir, `${stamp}.json`), json);
  // The growth's and the soak's charts: latest-<name>.svg beside latest.* for a whole run, per run otherwise.
  const subtitle = `${results.startedAt}, ${results.machine.cpuModel}, ${results.machine.cores} cores`;
  const charts: [string, TopLevelSpec][] = [
    ...(results.growth && 'points' in results.growth ? [['growth', growthChartSpec(results.growth, subtitle)] as [string, TopLevelSpec]] : []),
    ...(results.soak && !('unavailable' in results.soak) ? [['soak', soakChartSpec(results.soak, results)] as [string, TopLevelSpec]] : []),
  ];
  const writeCharts = async (prefix: string) => {
    const files: string[] = [];
    for (const [name, spec] of charts) {
      writeFileSync(join(ctx.resultsDir, `${prefix}-${name}.svg`), await renderSvg(spec));
      files.push(`${prefix}-${name}.svg`);
    }
    return files;
  };
  if (o.phases.length < PHASES.length) {
    // A partial run (BENCH_ONLY) is for development: latest.* keeps the last whole run.
    writeFileSync(join(ctx.resultsDir, `${stamp}.md`), renderMarkdown(results));
    const files = await writeCharts(stamp);
    log(`results of a partial run (${o.phases.join(', ')}): bench/results/${[`${stamp}.json`, `${stamp}.md`, ...files].join(', ')}`);
    return;
  }
  writeFileSync(join(ctx.resultsDir, 'latest.json'), json);
  writeFileSync(join(ctx.resultsDir, 'latest.md'), renderMarkdown(results));
  writeFileSync(join(ctx.resultsDir, 'latest.svg'), await renderSvg(chartSpec(results)));
  const files = await writeCharts('latest');
  log(`results: bench/results/${[`${stamp}.json`, 'latest.json', 'latest.md', 'latest.svg', ...files].join(', ')}`);
}

await main();
