import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Real files, real SQLite, real Chromium: keep parallelism modest on 2-core machines.
    maxWorkers: 2,
  },
});
