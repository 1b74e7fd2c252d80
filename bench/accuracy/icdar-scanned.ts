/**
 * ICDAR 2013 pages read as scans (icdar2013.ts --scanned): each page rendered to a grey image as
 * a scanner would give it (`pdftoppm -r <dpi> -gray`), then read by the worker's image page reader
 * in this process — native tesseract with the best_int model pagemill uses by default, deskew,
 * the scan's rulings (workers/raster/rulings.ts), the table finder. No text layer is used.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type { PageResult } from '../../src/schemas/page-result.js';
import type { TruthTable } from './icdar-truth.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

type PageLike = Pick<PageResult, 'page_no' | 'width' | 'height' | 'dpi' | 'blocks'>;

/** A folder with the plain best_int `eng.traineddata` the tesseract binary reads (made once). */
export async function bestIntTessdata(): Promise<string> {
  const dir = path.join(os.tmpdir(), 'pagemill-bench-tessdata');
  const file = path.join(dir, 'eng.traineddata');
  if (await fs.stat(file).catch(() => null)) return dir;
  await fs.mkdir(dir, { recursive: true });
  const gz = path.join(path.dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int', 'eng.traineddata.gz');
  await fs.writeFile(`${file}.tmp`, gunzipSync(await fs.readFile(gz)));
  await fs.rename(`${file}.tmp`, file);
  return dir;
}

/**
 * Reads the pages of `file` that hold a true table (every page with `allPages`) as scans at `dpi`.
 * Returns them with their PDF page numbers and the render's dpi (the scorer maps boxes to points).
 */
export async function readScanned(file: string, truth: TruthTable[], dpi: number, allPages = false): Promise<PageLike[]> {
  const { processImagePage } = await import('../../workers/raster/image-page.js');
  const tessdata = await bestIntTessdata();
  const { stdout } = await run('pdfinfo', [file]);
  const count = Number(/Pages:\s+(\d+)/.exec(stdout)?.[1] ?? 1);
  const wanted = allPages ? Array.from({ length: count }, (_, i) => i + 1) : [...new Set(truth.map((t) => t.page))].sort((a, b) => a - b);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-icdar-scan-'));
  const pages: PageLike[] = [];
  try {
    for (const p of wanted) {
      const stem = path.join(dir, `p${p}`);
      await run('pdftoppm', ['-r', String(dpi), '-gray', '-png', '-singlefile', '-f', String(p), '-l', String(p), file, stem]);
      const { page } = await processImagePage({
        kind: 'image', path: `${stem}.png`, page_no: 1, dpi, max_megapixels: 50, lang: 'eng', tessdata_dir: '', tessdata_gzip: true,
        ocr_recycle_pages: 100, ocr_mode: 'force', prompt_mode: 'prompt_layout_all_en', detect_orientation: false,
        text_layer_pdf: false, ocr_engine: 'native', native_tessdata_dir: tessdata, deskew: true,
      });
      pages.push({ ...page, page_no: p });
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  return pages;
}
