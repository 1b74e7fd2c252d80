import { defineConfig } from 'vitest/config';
import base, { CORPUS_TESTS } from './vitest.config.js';

/** `npm run test:corpus`: the whole shared corpus (needs ../shared/corpus beside the repo). */
export default defineConfig({
  test: {
    ...base.test,
    include: CORPUS_TESTS,
    exclude: [],
    testTimeout: 1_800_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest-corpus.json' }]] : ['default'],
  },
});
