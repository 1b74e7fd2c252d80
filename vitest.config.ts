import { configDefaults, defineConfig } from 'vitest/config';

/** The files `npm test` leaves to `npm run test:corpus` (they need ../shared/corpus beside the repo). */
export const CORPUS_TESTS = ['test/corpus-sweep.test.ts'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...CORPUS_TESTS],
    // Integration tests run real OCR on worker pools; on a 2-core machine, files in parallel
    // would only fight over the cores and turn timeouts flaky.
    fileParallelism: false,
    // Deadlines for a hung test, not speed checks: a loaded machine runs OCR several times slower.
    testTimeout: 900_000,
    hookTimeout: 300_000,
    expect: { poll: { timeout: 60_000 } },
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]] : ['default'],
  },
});
