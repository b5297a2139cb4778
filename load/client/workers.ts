/**
 * Runs task(0) … task(count - 1) with at most `concurrency` running at once. Indexes are handed
 * out in order, so work that depends on order (the generator, pacing) stays in order.
 */
export async function runWorkers(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
