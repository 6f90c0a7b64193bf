import { defineConfig } from 'vitest/config';

// Three levels, each with its own timeout. The timeouts only catch a hang: every test waits for a condition,
// never for a time, and none bounds wall-clock latency. They are generous because on a busy 2-core machine a
// real server, a worker thread or a spawned CLI can take seconds to start.
export default defineConfig({
  test: {
    // vitest's default is one worker fewer than the cores: one on a 2-core machine, which runs the suite serially.
    // The tests spend most of their time waiting on sockets and child processes, so two overlap well.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000, hookTimeout: 20_000 } },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'], testTimeout: 40_000, hookTimeout: 40_000 },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 90_000,
          hookTimeout: 90_000,
          // The e2e tests run the built CLI: refuse to start on a dist/ older than src/ (`npm test` builds first).
          globalSetup: ['test/e2e/fresh-dist.ts'],
        },
      },
    ],
  },
});
