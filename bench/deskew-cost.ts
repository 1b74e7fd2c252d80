/**
 * What deskew and the scan's ruling search add to each page: the real scans of
 * ../shared/corpus/OCRmyPDF (the accuracy cases: linn, ccitt, skew, cardinal ×4, 2400dpi,
 * multipage), each page's pixels obtained as the worker obtains them (its own resolution, reduced
 * to a readable size), then the skew measured, the page turned when it leans, and its rulings
 * found, each timed in CPU ms (the median of `--rounds` runs).
 * Usage: npx tsx bench/deskew-cost.ts [--rounds 3]
 *
 * The rulings need the page's type size, which the worker takes from the words OCR read; here,
 * without OCR, it is the glyph height (glyph-height.ts, about the x-height) × 2.2, about a line's
 * height. It only sets the search's scale.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { withPdfPage } from '../workers/pdf/pdf-page.js';
import { measureSkew, MIN_STRAIGHTEN_DEG, rotateGreyBy } from '../workers/raster/deskew.js';
import { glyphHeight } from '../workers/raster/glyph-height.js';
import type { GreyImage } from '../workers/raster/grey-image.js';
import { ocrPixels } from '../workers/raster/page-pixels.js';
import { atReadableSize } from '../workers/raster/readable-size.js';
import { renderSize } from '../workers/raster/render-budget.js';
import { findRulings } from '../workers/raster/rulings.js';
import { ACCURACY_CASES } from './accuracy.js';
import { CORPUS } from './real-documents.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);

/** The page's grey image as processPdfPage reads it (RENDER_DPI 300, 25 MP, Latin type). */
async function pagePixels(file: string, pageNo: number): Promise<{ grey: GreyImage; dpi: number }> {
  const task = { path: file, page_no: pageNo, max_megapixels: 25 };
  return withPdfPage(task, async (page, canvasFactory, decode) => {
    const base = page.getViewport({ scale: 1 });
    const size = renderSize(base.width, base.height, 300, 25);
    const pixels = await decode(() => ocrPixels(page, size, 25, canvasFactory, { byTypeSize: true }));
    return atReadableSize(pixels);
  });
}

/** CPU milliseconds of `f` (this process, user + system): steadier than wall time on a shared machine. */
const time = <T>(f: () => T): [T, number] => {
  const t0 = process.cpuUsage();
  const value = f();
  const used = process.cpuUsage(t0);
  return [value, (used.user + used.system) / 1000];
};
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;

interface Row { page: string; size: string; dpi: number; skew: number; confidence: number; measure_ms: number; turn_ms: number; rulings: number; rulings_ms: number }
const rows: Row[] = [];
const pages = [];
for (const [name, pageNo] of ACCURACY_CASES) pages.push({ name, pageNo, ...(await pagePixels(path.join(CORPUS, 'OCRmyPDF', name), pageNo)) });
// A pass untimed first: a worker thread that has read a few pages runs this code compiled.
for (const { grey } of pages) findRulings(rotateGreyBy(grey, measureSkew(grey).angle || 1), 30);
for (const { name, pageNo, grey, dpi } of pages) {
  const typeSize = (glyphHeight(grey) ?? 10) * 2.2;
  const measures: number[] = [];
  const turns: number[] = [];
  const rulingTimes: number[] = [];
  let skew = { angle: 0, confidence: 0 };
  let rulings = 0;
  for (let r = 0; r < rounds; r++) {
    const [m, ms] = time(() => measureSkew(grey));
    skew = m;
    measures.push(ms);
    const straight = Math.abs(m.angle) >= MIN_STRAIGHTEN_DEG ? time(() => rotateGreyBy(grey, m.angle)) : [grey, 0] as const;
    turns.push(straight[1]);
    const [found, rms] = time(() => findRulings(straight[0], typeSize));
    rulings = found.length;
    rulingTimes.push(rms);
  }
  rows.push({
    page: `${name} p${pageNo}`, size: `${grey.width}x${grey.height}`, dpi: Math.round(dpi), skew: skew.angle, confidence: skew.confidence,
    measure_ms: median(measures), turn_ms: median(turns), rulings, rulings_ms: median(rulingTimes),
  });
}
console.table(rows);
const mean = (k: 'measure_ms' | 'turn_ms' | 'rulings_ms') => rows.reduce((s, r) => s + r[k], 0) / rows.length;
const total = mean('measure_ms') + mean('turn_ms') + mean('rulings_ms');
console.log(`mean per page (median of ${rounds} rounds each): measure ${mean('measure_ms').toFixed(1)} ms, turn ${mean('turn_ms').toFixed(1)} ms (pages that lean only), rulings ${mean('rulings_ms').toFixed(1)} ms; added ${total.toFixed(1)} ms a page`);
