/** Time as the operator sees it: injected, so that backoff, leases and conditions are testable. */
export interface Clock {
  now(): Date;
  /** Runs `fn` after `ms`; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => new Date(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    // A pending retry or renewal must not keep a stopping process alive.
    timer.unref();
    return () => clearTimeout(timer);
  },
};
