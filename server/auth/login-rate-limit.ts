// Slows password guessing: a fixed window of failed logins per client address (in memory, per
// instance; behind several instances the effective limit is N times this, still bounded).
export interface FailureLimiter {
  /** True once the key has spent its failure budget in the current window. */
  blocked(key: string): boolean;
  /** Counts a failed attempt. */
  fail(key: string): void;
}

export function createFailureLimiter(maxFailures: number, windowMs: number, now = () => Date.now()): FailureLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  const current = (key: string) => {
    const w = windows.get(key);
    return w && now() - w.start <= windowMs ? w : undefined;
  };
  return {
    blocked: (key) => (current(key)?.count ?? 0) >= maxFailures,
    fail(key) {
      if (windows.size > 10_000) {
        for (const [k, w] of windows) if (now() - w.start > windowMs) windows.delete(k);
      }
      const w = current(key);
      if (w) w.count += 1;
      else windows.set(key, { start: now(), count: 1 });
    },
  };
}
