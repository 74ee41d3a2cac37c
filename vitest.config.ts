import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**'],
    // chDB is one engine per process: suites that open it run in their own fork.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
