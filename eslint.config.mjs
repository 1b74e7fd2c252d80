// typescript-eslint's type-checked recommended rules, minus the few that fight this code base's
// deliberate patterns (see docs/development.md, "Lint"). Folder rules keep dependencies pointing one way.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const REDIS_ONLY = ['bullmq', 'ioredis'].map((name) => ({ name, message: 'Only src/jobs/execution/bullmq/ loads Redis code (docs/architecture.md).' }));
/** No module imports the files that wire it: only the entry points (server.ts, cli.ts) build the app and the runtime. */
const WIRING = ['**/app.js', '**/runtime.js', '**/server.js', '**/cli.js'];
/**
 * Forbids Redis clients (unless `redis` is false), the wiring files, and imports matching `patterns`
 * (gitignore style: a later "!x" re-allows x, but never inside a folder a pattern already excluded).
 */
const restricted = (patterns, { redis = true, paths = [] } = {}) => ['error', {
  paths: [...(redis ? REDIS_ONLY : []), ...paths],
  patterns: [{ group: [...WIRING, ...patterns], message: 'Folder dependencies run one way (docs/architecture.md).' }],
}];
const NO_FRAMEWORK = ['fastify', 'piscina', 'better-sqlite3'].map((name) => ({ name, message: 'A contract names no framework (docs/architecture.md).' }));
/** The jobs' folders other than contracts: the workflow and the read side use the contracts, never an implementation. */
const JOBS_IMPLEMENTATIONS = ['store', 'pool', 'scheduling', 'execution'].map((d) => `../${d}/*`);

export default tseslint.config(
  { ignores: ['node_modules/**', 'output/**', 'input/**', 'test-results/**', 'src/public/**', 'bench/results/**', 'docs/**', 'bin/**', 'native/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['eslint.config.mjs', 'vitest.corpus.config.ts', 'test/fixtures/*.mjs', 'src/outputs/file-writer-thread.mjs'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // `_name` marks a value deliberately left unused (destructuring a secret out of a log line).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Worker envelopes, JSON files and SQLite rows are typed at their boundary with a cast.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // Template literals of numbers and nullable values are intended in messages.
      '@typescript-eslint/restrict-template-expressions': 'off',
      // Fastify's plugin and hook signatures are async by contract even when a body awaits nothing.
      '@typescript-eslint/require-await': 'off',
      // A non-null assertion after a check the compiler cannot follow is the lesser evil here.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `arr[i]!` states that an index is in range; the compiler (without noUncheckedIndexedAccess) calls it
      // unnecessary, and removing them would touch ~160 lines in files others are editing.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Stripping control characters from names and text is exactly what those regexes are for.
      'no-control-regex': 'off',
    },
  },
  // Local mode never loads Redis code: nothing outside src/jobs/execution/bullmq/ may import bullmq or ioredis.
  // (A later block's no-restricted-imports replaces an earlier one's, so each folder rule repeats these.)
  { files: ['src/**', 'workers/**'], ignores: ['src/jobs/execution/bullmq/**'], rules: { 'no-restricted-imports': ['error', { paths: REDIS_ONLY }] } },
  // Below the root, no folder imports what wires it (the CLI's in-process client is an entry point).
  { files: ['src/*/**'], ignores: ['src/jobs/execution/bullmq/**', 'src/cli/**'], rules: { 'no-restricted-imports': restricted([]) } },
  // The one error table (src/errors.ts, which imports nothing) is the only thing schemas read from src/.
  { files: ['src/schemas/**'], rules: { 'no-restricted-imports': restricted(['../*', '!../errors.js', '../../*']) } },
  // What comes in (forms, files, URLs) is checked without knowing who runs it.
  { files: ['src/intake/**'], rules: { 'no-restricted-imports': restricted(['../jobs/*', '../routes/*', '../http/*']) } },
  // Routes call the service (handed in as AppDeps); of the jobs they may name only a contract's types.
  { files: ['src/routes/**'], rules: { 'no-restricted-imports': restricted(['../jobs/*', '!../jobs/contracts']) } },
  // Contracts are plain TypeScript: only schemas, the error table and the output file layout.
  {
    files: ['src/jobs/contracts/**'],
    rules: {
      'no-restricted-imports': restricted([
        ...JOBS_IMPLEMENTATIONS, '../workflow/*', '../documents/*', '../upkeep/*', '../*.js', '../../*', '!../../schemas', '!../../errors.js', '!../../outputs', '../../outputs/*', '!../../outputs/conversion-files.js',
        '../../../*', 'fastify/*', '@fastify/*',
      ], { paths: NO_FRAMEWORK }),
    },
  },
  // The workflow and the read side use the contracts, never a store, pool, scheduler or execution;
  // and the jobs never speak HTTP (what they serve over it is handed the HTTP side's pieces).
  {
    files: ['src/jobs/workflow/**', 'src/jobs/documents/**', 'src/jobs/upkeep/**'],
    rules: { 'no-restricted-imports': restricted([...JOBS_IMPLEMENTATIONS, '../*.js', '**/http/*', '**/routes/*']) },
  },
  { files: ['src/jobs/store/**', 'src/jobs/pool/**', 'src/jobs/scheduling/**', 'src/jobs/execution/local/**', 'src/jobs/*.ts'], rules: { 'no-restricted-imports': restricted(['**/http/*', '**/routes/*']) } },
  { files: ['src/jobs/execution/bullmq/**'], rules: { 'no-restricted-imports': restricted(['**/http/*', '**/routes/*'], { redis: false }) } },
  // Outputs turn page results into files: they may read layout analysis, never the jobs, HTTP or other worker code.
  { files: ['src/outputs/**'], rules: { 'no-restricted-imports': restricted(['../jobs/*', '../routes/*', '../http/*', '../../workers/*', '!../../workers/layout']) } },
  // A worker thread is one task in, one envelope out: from src/ only schemas, the error codes and the language scripts.
  {
    files: ['workers/**'],
    rules: {
      'no-restricted-imports': restricted([
        '**/src/*', '!**/src/schemas', '!**/src/errors.js', '!**/src/languages', '**/src/languages/*', '!**/src/languages/language-scripts.js',
      ], { paths: [{ name: 'fastify', message: 'A worker never touches HTTP (docs/architecture.md).' }] }),
    },
  },
  {
    files: ['test/**', 'bench/**', 'vitest.config.ts', 'vitest.e2e.config.ts', 'vitest.corpus.config.ts', 'eslint.config.mjs'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Tests read WebSocket frames (Buffers) with String(data) and build expected strings loosely.
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
    },
  },
);
