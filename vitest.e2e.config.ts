import { defineConfig } from 'vitest/config';

// The browser suite: the real server on a free port, driven by Debian's Chromium via playwright-core.
export default defineConfig({
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
