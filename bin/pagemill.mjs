#!/usr/bin/env node
// The `pagemill` command: runs the TypeScript CLI through tsx's loader (no build step).
// First of all, an unsupported Node stops here with one line (tsx is imported below, after it).
import './require-node.mjs';

// glibc's defaults hold on to memory a big scan needed for a moment (docs/operating.md, Memory):
// - every thread gets its own malloc arena, and memory freed in one is not reused by the others:
//   two pool threads decoding big scans one after the other held both decodes (peak 1.17 GB; one
//   arena: 0.88 GB, at no measured cost in speed);
// - blocks under a threshold that grows up to 32 MB come from the heap, whose freed middle is not
//   given back: a fixed 256 KB sends big buffers to mmap, returned on free (idle 486 → 389 MB).
// glibc reads these only at process start, so the command restarts itself in place with them
// (`npm start` sets them in package.json). Values already in the environment are kept.
// V8's collector runs on the threads that allocate (docs/performance.md): its helper threads
// competed with OCR for the cores and cost more CPU than they saved. A V8 flag, not one that
// NODE_OPTIONS may carry, so it goes on node's command line in the same restart.
const MALLOC_DEFAULTS = { MALLOC_ARENA_MAX: '1', MALLOC_MMAP_THRESHOLD_: '262144' };
const GC_FLAG = '--single-threaded-gc';
const needsMalloc = process.platform === 'linux' && process.env.MALLOC_ARENA_MAX === undefined;
const needsGcFlag = !process.execArgv.includes(GC_FLAG);
if ((needsMalloc || needsGcFlag) && typeof process.execve === 'function') {
  const env = needsMalloc ? { ...MALLOC_DEFAULTS, ...process.env } : process.env;
  const flags = needsGcFlag ? [GC_FLAG, ...process.execArgv] : process.execArgv;
  process.execve(process.execPath, [process.execPath, ...flags, ...process.argv.slice(1)], env);
}

const { register } = await import('tsx/esm/api');
register();
await import('../src/cli.ts');
