import { defineConfig } from 'vitest/config';

// Three projects: `unit` (unit and HTTP tests, SQLite only), `contract` (repository contract
// suites, on SQLite always and on PostgreSQL when CITYOPS_TEST_DATABASE_URL is set) and `web`
// (the dashboard's logic).
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['src/**/*.contract.test.ts', 'test/e2e/**', 'node_modules/**'],
        },
      },
      {
        extends: true,
        test: { name: 'contract', include: ['src/**/*.contract.test.ts'] },
      },
      {
        // The dashboard's logic (pure functions and the live client), without a DOM.
        extends: true,
        test: { name: 'web', include: ['web/src/**/*.test.ts'] },
      },
    ],
  },
});
