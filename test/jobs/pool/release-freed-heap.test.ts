import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { releaseFreedHeap } from '../../../src/jobs/pool/release-freed-heap.js';

/**
 * The malloc_trim addon is optional at install (a machine without a compiler still runs
 * pagemill), so nothing fails when it is missing: this test is what notices. On glibc Linux (CI,
 * the supported servers) `npm install` must have built it, and the idle pool calls it.
 */
const glibc = process.platform === 'linux' && Boolean((process.report?.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime);

describe('releaseFreedHeap', () => {
  it.runIf(glibc)('is the compiled addon on glibc Linux, and trims', () => {
    const dir = path.dirname(createRequire(import.meta.url).resolve('pagemill-malloc-trim'));
    expect(fs.existsSync(path.join(dir, 'build', 'Release', 'malloc_trim.node'))).toBe(true);
    expect(typeof releaseFreedHeap()).toBe('boolean');
  });

  it('never throws, whatever the platform', () => {
    expect(() => releaseFreedHeap()).not.toThrow();
  });
});
