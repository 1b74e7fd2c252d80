import fs from 'node:fs/promises';
import path from 'node:path';
import { scannedPdf, textPdf, type ScanLook } from '../test/fixtures/pdf-fixtures.js';

/**
 * Benchmark documents with known text, generated (deterministically) rather than downloaded.
 * Each page: a heading with its number and a few lines of ordinary English words.
 */
const WORDS = (
  'the quick brown fox jumps over lazy dog river mountain harvest village market winter summer ' +
  'letter garden window family morning evening station bridge station engine paper table number ' +
  'report annual budget council meeting record public notice school library museum street north south'
).split(' ');

function* random(seed: number): Generator<number> {
  let s = seed;
  for (;;) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    yield s / 0x7fffffff;
  }
}

export function pageTexts(pages: number, linesPerPage = 8, seed = 42): string[][] {
  const rnd = random(seed);
  const word = () => WORDS[Math.floor(rnd.next().value! * WORDS.length)]!;
  return Array.from({ length: pages }, (_, p) => [
    `Page ${p + 1} of the benchmark`,
    ...Array.from({ length: linesPerPage }, () => Array.from({ length: 7 }, word).join(' ')),
  ]);
}

/** The text a perfect OCR would return for a generated document, page by page. */
export const expectedText = (pages: string[][]) => pages.map((lines) => lines.join('\n'));

/** A scanned-looking PDF: pages rendered at `dpi`, tilted by `skew` degrees, with specks of dust. */
export async function writeScanned(file: string, pages: number, dpi = 150, look: ScanLook = {}): Promise<string[][]> {
  const texts = pageTexts(pages);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, await scannedPdf(texts, dpi, look));
  return texts;
}

export async function writeDigital(file: string, pages: number): Promise<string[][]> {
  const texts = pageTexts(pages);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, textPdf(texts));
  return texts;
}
