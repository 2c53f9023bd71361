// How long the cluster primary waits before replacing a dead worker. A worker that dies once in a
// while is replaced at once; one that dies as it starts (a broken deploy, the database refusing new
// connections) would otherwise be forked again and again as fast as it can die, each fork loading
// the whole app and opening connections on a database that is already in trouble.

export interface RestartBackoffOptions {
  /** Delay after the second death in a row; doubles with each further one. */
  baseMs: number;
  /** Longest delay. */
  maxMs: number;
  /** A death this long after the previous one starts a new row: the workers had recovered. */
  quietMs: number;
}

export const DEFAULT_RESTART_BACKOFF: RestartBackoffOptions = { baseMs: 500, maxMs: 30_000, quietMs: 60_000 };

export interface RestartBackoff {
  /** Records a death at `now` (ms) and answers how long to wait before the next fork. */
  delayAfterDeath(now: number): number;
}

export function createRestartBackoff(options: RestartBackoffOptions = DEFAULT_RESTART_BACKOFF): RestartBackoff {
  let inRow = 0;
  let lastDeath = -Infinity;
  return {
    delayAfterDeath(now) {
      // Measured from the last death, not over a sliding window: a steady crash loop stays at the cap.
      inRow = now - lastDeath >= options.quietMs ? 1 : inRow + 1;
      lastDeath = now;
      return inRow === 1 ? 0 : Math.min(options.maxMs, options.baseMs * 2 ** (inRow - 2));
    },
  };
}
