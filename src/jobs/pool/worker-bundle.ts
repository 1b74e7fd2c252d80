import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const PROJECT = fileURLToPath(new URL('../../../', import.meta.url));
const ENTRY = path.join(PROJECT, 'workers/page.ts');
/** Inside the project, so the bundle's bare imports (pdfjs-dist, tesseract.js…) resolve from node_modules. */
const CACHE = path.join(PROJECT, 'node_modules/.cache/pagemill');

/**
 * Compiles the worker task module to one plain-JS file for the pool. Loading TypeScript through a
 * loader in every worker thread cost about 200 MB of memory per thread (a loader thread and
 * transformed copies of pdf.js); a bundle costs none of that and builds in milliseconds. Each
 * pool gets its own file, so concurrent servers never race on it.
 */
export async function buildWorkerBundle(): Promise<{ file: string; dispose(): Promise<void> }> {
  await fs.mkdir(CACHE, { recursive: true });
  await removeOrphans();
  const file = path.join(CACHE, `page-worker-${process.pid}-${randomBytes(4).toString('hex')}.mjs`);
  await build({
    entryPoints: [ENTRY],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  });
  return { file, dispose: () => fs.rm(file, { force: true }) };
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Bundles left behind by processes that were killed before they could remove theirs. */
async function removeOrphans(): Promise<void> {
  for (const name of await fs.readdir(CACHE)) {
    const pid = Number(/^page-worker-(\d+)-/.exec(name)?.[1]);
    if (pid && !isAlive(pid)) await fs.rm(path.join(CACHE, name), { force: true });
  }
}
