/**
 * The accuracy set: scribeocr/ocr-benchmark (public page images with human transcriptions as hOCR).
 * It has no licence file, so nothing of it is copied into this project: the bench reads a clone
 * (`git clone https://github.com/scribeocr/ocr-benchmark ../ocr-benchmark`) from `--ocr-set DIR`,
 * else OCR_BENCHMARK_DIR, else `../ocr-benchmark` beside the project.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { hocrText } from './hocr-words.js';

export interface SetPage {
  /** The page's name in the set, e.g. `table_05`. */
  name: string;
  image: string;
  truth: string;
  width: number;
  height: number;
  /** The resolution the image file states (PNG pHYs, JPEG JFIF), or null when it states none. */
  dpi: number | null;
}

export function ocrSetDir(flag: string | undefined): string {
  return path.resolve(flag ?? process.env.OCR_BENCHMARK_DIR ?? path.resolve(import.meta.dirname, '../../../ocr-benchmark'));
}

/** The set's pages that have both an image and a transcription (29 of them in the 2026 set). */
export async function ocrSetPages(dir: string, only?: string[]): Promise<SetPage[]> {
  const truthDir = path.join(dir, 'ground_truth');
  const images = await fs.readdir(path.join(dir, 'img')).catch(() => {
    throw new Error(`no ocr-benchmark set in ${dir}: git clone https://github.com/scribeocr/ocr-benchmark ${dir} (or pass --ocr-set DIR)`);
  });
  const pages: SetPage[] = [];
  for (const file of (await fs.readdir(truthDir)).sort()) {
    // One truth file lacks the `.truth` part of the name (singlecol_01.hocr).
    const name = file.replace(/(\.truth)?\.hocr$/, '');
    const image = images.find((f) => f.replace(/\.(png|jpe?g)$/i, '') === name);
    if (!image || (only && !only.includes(name))) continue;
    const bytes = await fs.readFile(path.join(dir, 'img', image));
    pages.push({ name, image: path.join(dir, 'img', image), truth: hocrText(await fs.readFile(path.join(truthDir, file), 'utf8')), ...imageGeometry(bytes) });
  }
  return pages;
}

/** Width, height and stated resolution of a PNG or JPEG. */
export function imageGeometry(bytes: Buffer): { width: number; height: number; dpi: number | null } {
  if (bytes.readUInt32BE(0) === 0x89504e47) {
    let dpi: number | null = null;
    for (let at = 8; at + 8 <= bytes.length;) {
      const length = bytes.readUInt32BE(at);
      const type = bytes.toString('latin1', at + 4, at + 8);
      if (type === 'pHYs' && bytes[at + 16] === 1) dpi = Math.round(bytes.readUInt32BE(at + 8) * 0.0254);
      if (type === 'IDAT') break;
      at += 12 + length;
    }
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), dpi };
  }
  let dpi: number | null = null;
  for (let at = 2; at + 9 < bytes.length;) {
    const marker = bytes.readUInt16BE(at);
    const length = bytes.readUInt16BE(at + 2);
    if (marker === 0xffe0 && bytes.toString('latin1', at + 4, at + 9) === 'JFIF\0') {
      const units = bytes[at + 11];
      const x = bytes.readUInt16BE(at + 12);
      if (units === 1 && x > 1) dpi = x;
      if (units === 2 && x > 1) dpi = Math.round(x * 2.54);
    }
    // Start-of-frame markers (not DHT, JPG or DAC) hold the size.
    if (marker >= 0xffc0 && marker <= 0xffcf && ![0xffc4, 0xffc8, 0xffcc].includes(marker)) {
      return { width: bytes.readUInt16BE(at + 7), height: bytes.readUInt16BE(at + 5), dpi };
    }
    at += 2 + length;
  }
  throw new Error('not a PNG or JPEG');
}

/** The text of a published result (the set's `results/<system>/<name>.hocr`), or null when absent. */
export async function publishedText(dir: string, system: string, name: string): Promise<string | null> {
  const file = path.join(dir, 'results', system, `${name}.hocr`);
  return fs.readFile(file, 'utf8').then(hocrText, () => null);
}
