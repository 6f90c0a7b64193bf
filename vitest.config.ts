import { defineConfig } from 'vitest/config';

// Tests start real servers and, in test/e2e, the built CLI as a child process: on a busy 2-core machine one
// spawn can take seconds, so vitest's 5 s default is a wall-clock bound in disguise. The timeouts below only
// catch a hang; every test waits for a condition, never for a time.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
