import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PipelineSpecError, type CompiledPipeline } from '../compile/pipeline.js';
import { compilePipelineYaml } from '../spec/parse.js';
import type { PipelineRegistry } from './registry.js';

export interface DirectoryLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface PipelineDirectoryOptions {
  readonly log: DirectoryLog;
  /** How long a burst of file events settles before the folder is read again. @default 100 */
  readonly settleMs?: number;
  /**
   * A full read of the folder at this interval, whatever the events said: a watch can miss an
   * event (a ConfigMap volume swaps a symlink), a resync cannot. @default 10000
   */
  readonly resyncMs?: number;
}

export interface PipelineDirectory {
  /** Reads the folder now and applies it; resolves with the refusals of this pass. */
  sync(): Promise<PipelineSpecError[]>;
  close(): void;
}

const isSpecFile = (name: string) => /\.ya?ml$/.test(name) && !name.startsWith('.');

/**
 * Serves the DocumentPipeline files of one folder: every `*.yaml` is compiled and its examples run;
 * what passes goes live in the registry. A file that fails is refused with a message naming it,
 * and the generation it had before keeps serving. A removed file removes its pipeline.
 */
export async function watchPipelineDirectory(
  dir: string,
  registry: PipelineRegistry,
  options: PipelineDirectoryOptions,
): Promise<PipelineDirectory> {
  const { log } = options;
  /** Per file: the text last compiled and what it gave, so an unchanged file is not compiled again. */
  const compiled = new Map<string, { text: string; pipeline: CompiledPipeline | undefined }>();
  let running: Promise<PipelineSpecError[]> | undefined;
  let again = false;

  const readOnce = async (): Promise<PipelineSpecError[]> => {
    const refused: PipelineSpecError[] = [];
    const files = (await readdir(dir)).filter(isSpecFile).sort();
    for (const file of [...compiled.keys()]) if (!files.includes(file)) compiled.delete(file);
    for (const file of files) {
      const text = await readFile(join(dir, file), 'utf8').catch(() => undefined);
      if (text === undefined || compiled.get(file)?.text === text) continue;
      const source = join(dir, file);
      try {
        compiled.set(file, { text, pipeline: compilePipelineYaml(text, source) });
      } catch (error) {
        if (!(error instanceof PipelineSpecError)) throw error;
        refused.push(error);
        // The previous generation of this file keeps serving; the same text is not retried.
        compiled.set(file, { text, pipeline: compiled.get(file)?.pipeline });
      }
    }
    const candidates = [...compiled.values()].flatMap((entry) => (entry.pipeline ? [entry.pipeline] : []));
    refused.push(...registry.replace(candidates));
    for (const error of refused) log.error({ source: error.source, problems: error.problems }, `pipeline refused: ${error.message}`);
    return refused;
  };

  const sync = (): Promise<PipelineSpecError[]> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        let refused = await readOnce();
        while (again) {
          again = false;
          refused = await readOnce();
        }
        return refused;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const logChange = registry.onChange(({ added, changed, removed }) => {
    const describe = (p: CompiledPipeline) => `${p.name}@${p.revision}`;
    log.info(
      { added: added.map(describe), changed: changed.map(describe), removed: removed.map((p) => p.name) },
      'pipelines switched',
    );
  });

  await sync();
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(dir, () => {
    clearTimeout(timer);
    timer = setTimeout(() => void sync().catch((error: unknown) => log.error({ err: error }, 'reading the pipelines failed')), options.settleMs ?? 100);
  });
  const resync = setInterval(
    () => void sync().catch((error: unknown) => log.error({ err: error }, 'reading the pipelines failed')),
    options.resyncMs ?? 10_000,
  );
  resync.unref();

  return {
    sync,
    close() {
      clearTimeout(timer);
      clearInterval(resync);
      watcher.close();
      logChange();
    },
  };
}
