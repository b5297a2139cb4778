/**
 * Open-model pacing: the n-th document is due at start + n / rate, whatever happened to the
 * documents before it, so a slow answer does not slow the offered load (until every connection is
 * busy; the summary's elapsed time shows when the target rate was not reached).
 */
export function dueAt(startMs: number, documentsBefore: number, rate: number): number {
  return startMs + (documentsBefore * 1000) / rate;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until the document numbered `documentsBefore` is due; at once without a rate. */
export async function waitTurn(startMs: number, documentsBefore: number, rate: number | undefined, now = performance.now()): Promise<void> {
  if (rate === undefined) return;
  const delay = dueAt(startMs, documentsBefore, rate) - now;
  if (delay > 0) await sleep(delay);
}
