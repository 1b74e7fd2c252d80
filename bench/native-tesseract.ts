import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Whether a command is on PATH (the native tools are optional: Debian tesseract-ocr, poppler-utils, ocrmypdf). */
export async function has(command: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${command}`]).then(() => true, () => false);
}

/** Rasterises pages with pdftoppm (grey, `dpi`) into `dir`; returns the image paths in page order. */
export async function rasterize(pdf: string, dir: string, dpi: number, pages?: number[]): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  for (const p of pages ?? [0]) {
    const args = ['-r', String(dpi), '-gray', ...(pages ? ['-f', String(p), '-l', String(p)] : []), pdf, path.join(dir, pages ? `p${p}` : 'p')];
    await run('pdftoppm', args, { maxBuffer: 1 << 26 });
  }
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.pgm')).sort((a, b) => Number(/(\d+)\.pgm$/.exec(a)?.[1]) - Number(/(\d+)\.pgm$/.exec(b)?.[1]));
  return files.map((f) => path.join(dir, f));
}

/** Native tesseract on one image, single-threaded (OpenMP threads make it 6× slower on these VMs). */
export async function tesseractText(image: string, lang = 'eng', tessdataDir?: string, dpi?: number): Promise<string> {
  // A PGM carries no resolution: without --dpi tesseract guesses one (as pagemill, it is told).
  const args = [image, 'stdout', '-l', lang, ...(tessdataDir ? ['--tessdata-dir', tessdataDir] : []), ...(dpi ? ['--dpi', String(dpi)] : [])];
  const { stdout } = await run('tesseract', args, { env: { ...process.env, OMP_THREAD_LIMIT: '1' }, maxBuffer: 1 << 24 });
  return stdout;
}

/**
 * A tessdata folder with the model pagemill uses (best_int eng from @tesseract.js-data/eng,
 * gunzipped), so native tesseract can be compared on the same model.
 */
export async function sameModelTessdata(dir: string): Promise<string> {
  const { createRequire } = await import('node:module');
  const { gunzipSync } = await import('node:zlib');
  const require = createRequire(import.meta.url);
  const source = path.join(path.dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int', 'eng.traineddata.gz');
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'eng.traineddata'), gunzipSync(await fs.readFile(source)));
  return dir;
}

/** Runs `jobs` with at most `n` at a time. */
export async function parallel<T>(jobs: (() => Promise<T>)[], n: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  }));
  return results;
}
