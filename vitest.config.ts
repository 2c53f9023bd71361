// Test runner settings: database tests share one prepared template, so files run one at a time.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/setup/global-setup.ts'],
    // Each embedded database costs ~1 GB and seconds to open; one file at a time keeps CI within
    // the machine's memory and makes timings steady.
    fileParallelism: false,
    testTimeout: 60_000,
    // Passwords hashed at scrypt N=2^10 instead of production's 2^17 (128 MiB and ~0.3 s each): a
    // suite that logs in hundreds of times stays fast. The production cost has its own test.
    env: { PASSWORD_HASH_COST: process.env.PASSWORD_HASH_COST ?? '10' },
    hookTimeout: 240_000,
    teardownTimeout: 60_000,
  },
});
