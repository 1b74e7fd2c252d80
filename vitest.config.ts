import { configDefaults, defineConfig } from 'vitest/config';

/** The files `npm test` leaves to `npm run test:corpus` (they need ../shared/corpus beside the repo). */
export const CORPUS_TESTS = ['test/corpus-sweep.test.ts'];

/**
 * The files `npm test` leaves to `npm run test:e2e` (.ci/run runs both): whole processes started and
 * killed (servers, worker nodes, Redis, the CLI), a real browser, and the OCR engines compared on
 * real pages — minutes of work that the fast suite covers through its seams.
 */
export const E2E_TESTS = [
  'test/cluster/**/*.test.ts',
  'test/process-signals.test.ts',
  'test/server-lifecycle.test.ts',
  'test/jobs/crash-recovery.test.ts',
  'test/jobs/local-mode-no-redis.test.ts',
  'test/web-page.test.ts',
  'test/web-page-keys.test.ts',
  'test/routes/cross-origin-browser.test.ts',
  'test/outputs/html-browser.test.ts',
  'test/cli.test.ts',
  'test/outputs/ocr-engines.test.ts',
  'test/outputs/rotated-scans.test.ts',
];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...CORPUS_TESTS, ...E2E_TESTS],
    // Two files at a time: most of the fast suite runs on the fake backend (no threads, no OCR), so
    // a second file overlaps imports, I/O and waits rather than fighting for the cores; the files
    // with real OCR pools keep deadlines far above what two at a time need. E2E runs one at a time.
    fileParallelism: true,
    maxWorkers: 2,
    // Deadlines for a hung test, not speed checks: a loaded machine runs OCR several times slower.
    testTimeout: 900_000,
    hookTimeout: 300_000,
    expect: { poll: { timeout: 60_000 } },
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]] : ['default'],
  },
});
