// Where ingest's time goes: a single-document run and a batch run, each with JWT against an ingest
// of its own under `node --cpu-prof`, separate from the measured runs so that none of their
// figures pays for the profiler. The
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
import type { ProfileSummary } from './results.js';
import * as services from './services.js';

/** What a profiled run sends: documents per request, and how many documents in all. */
export interface ProfiledLoad {
  readonly batchSize: number;
  readonly documents: number;
}

export async function profileIngest(ctx: BenchContext, o: BenchOptions, load: ProfiledLoad): Promise<ProfileSummary | { unavailable: string }> {
  const kind = load.batchSize === 1 ? 'single' : 'batch';
  log(`profiling ingest over ${load.documents} documents with JWT, ${load.batchSize} per request`);
  const dir = join(ctx.workDir, `cpu-profile-${kind}`);
  mkdirSync(dir, { recursive: true });
  try {
    const run = (count: number) =>
      httpMeasurement({ url: `http://127.0.0.1:${ctx.ingestPort}`, count, warmup: 0, concurrency: o.concurrency, batchSize: load.batchSize, seed: o.seed });
    // Only the measured run is summarized: start-up (module loading) and warm-up (JIT) are not
    // where a running ingest spends its time.
    let window: Window = { from: 0, to: 0 };
    const outcome = await withProcess(services.ingest(ctx, { authMode: 'jwt', cpuProfileDir: dir }), async () => {
      await run(Math.max(o.warmupDocs, load.batchSize));
      const from = monotonicMicros();
      const measured = await run(load.documents);
      window = { from, to: monotonicMicros() };
      return measured;
    });
    if (outcome.status !== 'ok') return { unavailable: `the profiled run failed: ${outcome.reason}` };
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) return { unavailable: 'ingest wrote no .cpuprofile on exit' };
    const kept = join(ctx.resultsDir, 'profiles', `ingest-${kind}-${new Date().toISOString().replaceAll(/[:.]/g, '-')}.cpuprofile`);
    mkdirSync(join(ctx.resultsDir, 'profiles'), { recursive: true });
    copyFileSync(join(dir, file), kept);
    const profile = JSON.parse(readFileSync(kept, 'utf8')) as CpuProfile;
    return { ...summarizeProfile(profile, relative(ctx.root, kept), window), batchSize: load.batchSize, docsPerSecond: outcome.throughput };
  } catch (error) {
    return { unavailable: firstLine(error) };
  }
}
