import { Presets, SingleBar } from 'cli-progress';
import type { Progress } from './options.ts';

const LABELS: Record<Progress['phase'], string> = { send: 'sending', wait: 'stored ' };

/** One bar per phase on stderr, so stdout stays the summary alone. */
export class ProgressBar {
  #bar: SingleBar | undefined;
  #phase: Progress['phase'] | undefined;

  readonly update = (progress: Progress): void => {
    if (progress.phase !== this.#phase) {
      this.stop();
      this.#phase = progress.phase;
      this.#bar = new SingleBar(
        { stream: process.stderr, hideCursor: true, format: `${LABELS[progress.phase]} [{bar}] {percentage}% {value}/{total} docs, {eta_formatted} left` },
        Presets.shades_classic,
      );
      this.#bar.start(progress.total, 0);
    }
    this.#bar?.update(progress.done);
  };

  stop(): void {
    this.#bar?.stop();
    this.#bar = undefined;
  }
}
