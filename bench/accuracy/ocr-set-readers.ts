/**
 * The systems the accuracy bench compares, each reading one page image of the set and returning its
 * text and the seconds it took (one page at a time for every system, so the times compare).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { greyFromRgba, toGreyTiff } from '../../workers/raster/grey-image.js';
import { tesseractText } from '../native-tesseract.js';
import { submit, type ServerProcess } from '../server-under-test.js';
import type { SetPage } from './ocr-set.js';

const run = promisify(execFile);
const SYSTEM_TESSDATA = '/usr/share/tesseract-ocr/5/tessdata';

/** A PNG whose colour type carries alpha (grey+alpha 4, RGBA 6). */
const hasAlpha = (bytes: Buffer) => bytes.readUInt32BE(0) === 0x89504e47 && (bytes[25] === 4 || bytes[25] === 6);

async function flattened(image: string, workDir: string): Promise<string> {
  const img = await loadImage(await fs.readFile(image));
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, img.width, img.height);
  ctx.drawImage(img, 0, 0);
  const out = path.join(workDir, `${path.basename(image)}.tif`);
  await fs.writeFile(out, toGreyTiff(greyFromRgba(canvas.data(), img.width, img.height)));
  return out;
}

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
 * OCRmyPDF in its default settings on the image (an image needs a resolution: the one the file
 * states, else 300 dpi), with the same model, then pdftotext on its PDF; both are timed. OCRmyPDF
 * refuses images with an alpha channel: those are handed to it flattened onto white, as grey
 * (the pixels pagemill reads), untimed.
 */
export async function ocrmypdfReader(tessdataDir: string, workDir: string): Promise<PageReader> {
  // TESSDATA_PREFIX replaces the whole folder: without the system's configs/ tesseract cannot
  // make the PDF and text OCRmyPDF asks of it ("read_params_file: Can't open pdf"), and the page
  // comes back without text.
  const prefix = path.join(workDir, 'tessdata-ocrmypdf');
  await fs.mkdir(prefix, { recursive: true });
  await fs.copyFile(path.join(tessdataDir, 'eng.traineddata'), path.join(prefix, 'eng.traineddata'));
  for (const f of ['configs', 'osd.traineddata']) await fs.symlink(path.join(SYSTEM_TESSDATA, f), path.join(prefix, f)).catch(() => undefined);
  return async (page) => {
    const out = path.join(workDir, `${page.name}.pdf`);
    const image = hasAlpha(await fs.readFile(page.image)) ? await flattened(page.image, workDir) : page.image;
    const t0 = performance.now();
    const env = { ...process.env, OMP_THREAD_LIMIT: '1', TESSDATA_PREFIX: prefix };
    await run('ocrmypdf', ['-q', '--image-dpi', String(page.dpi ?? 300), image, out], { env, maxBuffer: 1 << 24 });
    const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', out, '-'], { maxBuffer: 1 << 24 });
    return { text: stdout, seconds: since(t0) };
  };
}
