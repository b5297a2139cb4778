// Where ingest's time goes: a single-document run with JWT against ingest under `node --cpu-prof`,
// separate from the measured runs so that none of their figures pays for the profiler. The
// profile is written when ingest exits (SIGTERM); its summary goes into the results, the profile
// itself into bench/results/profiles/ (not committed) for a closer look in Chrome DevTools.
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { BenchContext } from './context.js';
import { monotonicMicros, summarizeProfile, type CpuProfile, type Window } from './cpu-profile.js';
import { httpMeasurement } from './http-load.js';
import { firstLine, log } from './measure.js';
import type { BenchOptions } from './options.js';
import { withProcess } from './processes.js';
import type { RunResults } from './results.js';
import * as services from './services.js';

export async function profileIngest(ctx: BenchContext, o: BenchOptions): Promise<NonNullable<RunResults['ingestProfile']>> {
  log(`profiling ingest over ${o.profileDocs} single documents with JWT`);
  const dir = join(ctx.workDir, 'cpu-profile');
  mkdirSync(dir, { recursive: true });
  try {
    const run = (count: number) =>
      httpMeasurement({ url: `http://127.0.0.1:${ctx.ingestPort}`, count, warmup: 0, concurrency: o.concurrency, batchSize: 1, seed: o.seed });
    // Only the measured run is summarized: start-up (module loading) and warm-up (JIT) are not
    // where a running ingest spends its time.
    let window: Window = { from: 0, to: 0 };
    const outcome = await withProcess(services.ingest(ctx, { authMode: 'jwt', cpuProfileDir: dir }), async () => {
      await run(o.warmupDocs);
      const from = monotonicMicros();
      const measured = await run(o.profileDocs);
      window = { from, to: monotonicMicros() };
      return measured;
    });
    if (outcome.status !== 'ok') return { unavailable: `the profiled run failed: ${outcome.reason}` };
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) return { unavailable: 'ingest wrote no .cpuprofile on exit' };
    const kept = join(ctx.resultsDir, 'profiles', `ingest-${new Date().toISOString().replaceAll(/[:.]/g, '-')}.cpuprofile`);
    mkdirSync(join(ctx.resultsDir, 'profiles'), { recursive: true });
    copyFileSync(join(dir, file), kept);
    const profile = JSON.parse(readFileSync(kept, 'utf8')) as CpuProfile;
    return { ...summarizeProfile(profile, relative(ctx.root, kept), window), docsPerSecond: outcome.throughput };
  } catch (error) {
    return { unavailable: firstLine(error) };
  }
}
