import { defineConfig } from 'vitest/config';
import base, { E2E_TESTS } from './vitest.config.js';

/** `npm run test:e2e`: the end-to-end files (processes, Redis, Chromium, both OCR engines); see E2E_TESTS. */
export default defineConfig({
  test: {
    ...base.test,
    include: E2E_TESTS,
    exclude: [],
    // Whole processes, Redis and Chromium per file: one file at a time, as CI's two cores allow.
    fileParallelism: false,
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest-e2e.json' }]] : ['default'],
  },
});
