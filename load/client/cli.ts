#!/usr/bin/env node
import { parseCliArgs, USAGE, UsageError } from './args.ts';
import { ProgressBar } from './progress.ts';
import { formatSummary } from './report.ts';
import { runLoad } from './run.ts';

/** docpipe-load: the command-line face of runLoad. Exit status as USAGE says. */
async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`docpipe-load: ${error.message}\nTry 'docpipe-load --help'.\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }

  const progress = args.quiet || !process.stderr.isTTY ? undefined : new ProgressBar();
  try {
    const summary = await runLoad({ ...args.options, onProgress: progress?.update });
    progress?.stop();
    process.stdout.write(args.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
    return summary.ok ? 0 : 1;
  } catch (error) {
    progress?.stop();
    const { message, code } = error as { message?: string; code?: string };
    process.stderr.write(`docpipe-load: ${message || code || String(error)}\n`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
