import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites start real processes (schedulers, agents, etcd, dockerd) on a 2-core
    // machine; running files one at a time keeps them from starving each other.
    fileParallelism: false,
  },
});
