import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { cer } from './cer.js';
import { parallel, rasterize, tesseractText } from './native-tesseract.js';

const run = promisify(execFile);

export interface NativeResult { system: string; seconds: number; pages_per_minute: number; cer: number | null }

/**
 * Native tesseract, 2 processes, same dpi, OMP_THREAD_LIMIT=1; timed from PDF to text (rasterising
 * included). `tessdataDir` picks the model (default: the system's, Debian's "fast" one).
 */
export async function runNativeTesseract(name: string, file: string, pages: number, dpi: number, workDir: string, expected: string[], tessdataDir?: string): Promise<NativeResult> {
  const t0 = performance.now();
  const images = await parallel(Array.from({ length: pages }, (_, i) => () => rasterize(file, path.join(workDir, `${name.replace(/\W+/g, '-')}-${i + 1}`), dpi, [i + 1]).then((r) => r[0]!)), 2);
  const texts = await parallel(images.map((img) => () => tesseractText(img, 'eng', tessdataDir, dpi)), 2);
  const seconds = (performance.now() - t0) / 1000;
  return { system: name, seconds: Math.round(seconds * 10) / 10, pages_per_minute: Math.round((pages / seconds) * 600) / 10, cer: cer(texts.join('\n'), expected.join('\n')) };
}

/** OCRmyPDF -j 2 --force-ocr to a PDF with a text sidecar. */
export async function runOcrmypdf(file: string, pages: number, workDir: string, expected: string[]): Promise<NativeResult> {
  const out = path.join(workDir, 'ocrmypdf.pdf');
  const sidecar = path.join(workDir, 'ocrmypdf.txt');
  const t0 = performance.now();
  await run('ocrmypdf', ['-j', '2', '--force-ocr', '--sidecar', sidecar, '-q', file, out], { env: { ...process.env, OMP_THREAD_LIMIT: '1' }, maxBuffer: 1 << 24 });
  const seconds = (performance.now() - t0) / 1000;
  const text = await fs.readFile(sidecar, 'utf8').catch(() => '');
  return { system: 'OCRmyPDF -j 2', seconds: Math.round(seconds * 10) / 10, pages_per_minute: Math.round((pages / seconds) * 600) / 10, cer: cer(text.replace(/\f/g, '\n'), expected.join('\n')) };
}
