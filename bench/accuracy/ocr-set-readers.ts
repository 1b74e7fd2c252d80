/**
 * The systems the accuracy bench compares, each reading one page image of the set and returning its
 * text and the seconds it took (one page at a time for every system, so the times compare).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { tesseractText } from '../native-tesseract.js';
import { submit, type ServerProcess } from '../server-under-test.js';
import type { SetPage } from './ocr-set.js';

const run = promisify(execFile);

export interface PageReading { text: string; seconds: number }
export type PageReader = (page: SetPage) => Promise<PageReading>;

const since = (t0: number) => Math.round((performance.now() - t0) / 10) / 100;

/** pagemill over HTTP in its default settings: the image uploaded, the conversion polled until it ends. */
export function pagemillReader(server: ServerProcess): PageReader {
  return async (page) => {
    const t0 = performance.now();
    const { id } = await submit(server.url, path.basename(page.image), await fs.readFile(page.image));
    for (;;) {
      const rec = (await (await fetch(`${server.url}/conversion-status/${id}`)).json()) as { status: string; error?: string };
      if (rec.status === 'completed') break;
      if (rec.status !== 'pending' && rec.status !== 'processing') throw new Error(`pagemill ended ${rec.status} on ${page.name}: ${rec.error}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = since(t0);
    const json = (await (await fetch(`${server.url}/conversions/${id}/result?format=json`)).json()) as { pages: { text: string }[] };
    return { text: json.pages.map((p) => p.text).join('\n'), seconds };
  };
}

/**
 * The tesseract CLI on the image file as it is (the same pixels; the resolution the file states,
 * else tesseract's own estimate), with the model pagemill reads by default (`tessdataDir`).
 */
export function nativeReader(tessdataDir: string): PageReader {
  return async (page) => {
    const t0 = performance.now();
    const text = await tesseractText(page.image, 'eng', tessdataDir);
    return { text, seconds: since(t0) };
  };
}

/**
 * OCRmyPDF on the image (an image needs a resolution: the one the file states, else 300 dpi), with
 * the same model (TESSDATA_PREFIX), then pdftotext on its PDF; both are timed.
 */
export function ocrmypdfReader(tessdataDir: string, workDir: string): PageReader {
  return async (page) => {
    const out = path.join(workDir, `${page.name}.pdf`);
    const t0 = performance.now();
    const env = { ...process.env, OMP_THREAD_LIMIT: '1', TESSDATA_PREFIX: tessdataDir };
    await run('ocrmypdf', ['-q', '--image-dpi', String(page.dpi ?? 300), page.image, out], { env, maxBuffer: 1 << 24 });
    const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', out, '-'], { maxBuffer: 1 << 24 });
    return { text: stdout, seconds: since(t0) };
  };
}
