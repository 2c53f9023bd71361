// A crash loop of cluster workers is slowed down instead of forking as fast as workers die, while a
// worker that dies once in a long while is replaced at once.
import { describe, expect, it } from 'vitest';
import { createRestartBackoff } from '../server/restart-backoff.ts';

const options = { baseMs: 500, maxMs: 30_000, quietMs: 60_000 };

describe('restart back-off of cluster workers', () => {
  it('replaces a lone death at once', () => {
    const backoff = createRestartBackoff(options);
    expect(backoff.delayAfterDeath(1_000)).toBe(0);
    // A minute later: the workers had recovered.
    expect(backoff.delayAfterDeath(1_000 + 60_000)).toBe(0);
  });

  it('doubles the wait for each death in a row, up to the cap, and stays there while they keep dying', () => {
    const backoff = createRestartBackoff(options);
    const delays: number[] = [];
    let now = 0;
    for (let i = 0; i < 12; i++) {
      const delay = backoff.delayAfterDeath(now);
      delays.push(delay);
      now += delay + 100; // the replacement dies 100 ms after its start
    }
    expect(delays).toEqual([0, 500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000, 30_000]);
  });

  it('starts a new row once the workers have stayed up for a minute', () => {
    const backoff = createRestartBackoff(options);
    backoff.delayAfterDeath(0);
    backoff.delayAfterDeath(100);
    expect(backoff.delayAfterDeath(200)).toBe(1_000);
    expect(backoff.delayAfterDeath(200 + 59_999)).toBe(2_000);
    expect(backoff.delayAfterDeath(200 + 59_999 + 60_000)).toBe(0);
  });
});
