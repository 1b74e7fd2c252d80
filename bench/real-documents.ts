import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ACCURACY_CASES } from './accuracy.js';

const run = promisify(execFile);
export const CORPUS = path.resolve(import.meta.dirname, '../../shared/corpus');

/**
 * Real documents for the bench, assembled with qpdf from ../shared/corpus (public OCR test scans
 * and pdf.js's born-digital test paper), rather than generated pages.
 */
export interface RealScanSet { file: string; pages: number; expected: string[]; page_dpi: number[] }

/**
 * Every scanned page of the OCRmyPDF corpus that has a reference text (the accuracy cases: linn,
 * ccitt, skew, cardinal at 0/90/180/270°, 2400dpi, multipage), `copies` times over.
 */
export async function writeRealScanSet(dir: string, copies = 2): Promise<RealScanSet> {
  const cases = Array.from({ length: copies }, () => ACCURACY_CASES).flat();
  const file = path.join(dir, 'real-scans.pdf');
  const pages = cases.flatMap(([name, page]) => [path.join(CORPUS, 'OCRmyPDF', name), String(page)]);
  await run('qpdf', ['--empty', '--pages', ...pages, '--', file]);
  const expected = await Promise.all(cases.map(([, , ref]) => fs.readFile(path.join(CORPUS, 'OCRmyPDF', ref), 'utf8')));
  return { file, pages: cases.length, expected, page_dpi: await ownResolutions(file, cases.length) };
}

/** Each page's own resolution: that of its largest image (`pdfimages -list`), the lower axis. */
async function ownResolutions(file: string, pages: number): Promise<number[]> {
  const { stdout } = await run('pdfimages', ['-list', file], { maxBuffer: 1 << 24 });
  const best = new Map<number, { pixels: number; dpi: number }>();
  for (const line of stdout.split('\n').slice(2)) {
    const c = line.trim().split(/\s+/);
    if (c.length < 14 || c[2] !== 'image') continue;
    const page = Number(c[0]);
    const pixels = Number(c[3]) * Number(c[4]);
    const dpi = Math.min(Number(c[12]), Number(c[13]));
    if (!best.has(page) || best.get(page)!.pixels < pixels) best.set(page, { pixels, dpi });
  }
  return Array.from({ length: pages }, (_, i) => best.get(i + 1)?.dpi ?? 300);
}

/** pdf.js's born-digital paper (tracemonkey.pdf, 14 pages) repeated to at least `minPages`. */
export async function writeRealBornDigitalSet(dir: string, minPages = 250): Promise<{ file: string; pages: number }> {
  const source = path.join(CORPUS, 'pdf.js', 'tracemonkey.pdf');
  const copies = Math.ceil(minPages / 14);
  const file = path.join(dir, 'real-born-digital.pdf');
  await run('qpdf', ['--empty', '--pages', ...Array.from({ length: copies }, () => source), '--', file]);
  return { file, pages: copies * 14 };
}
