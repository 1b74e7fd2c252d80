/**
 * Where a real scan's time goes, page by page: the real-scan set's pages (the accuracy cases of
 * ../shared/corpus/OCRmyPDF: linn, ccitt, skew, cardinal ×4, 2400dpi, multipage), each read once
 * in this process as a pool thread reads it (workers/page.ts `processPage`, native engine, the
 * default settings), with the CPU time of this process and of the tesseract children it started,
 * and the pool thread's own steps timed apart (pixels, orientation by ink, deskew, rulings, preview).
 * Usage: npx tsx bench/scan-cost.ts [--tessdata DIR] [--pages 1,4,8] [--no-steps] [--dump OUT]
 *   OUT: each page's result JSON (duration_ms zeroed), Markdown, cells and preview written there,
 *   to diff the outputs of two versions (a change to the pool thread's work must leave them alike).
 *   DIR: plain eng.traineddata and osd.traineddata (native tesseract cannot read the .gz).
 * Every tesseract child's CPU comes from getrusage(RUSAGE_CHILDREN) of this process, read before and
 * after each page (/proc/self/stat cutime + cstime). Timings on a shared machine: CPU, not wall.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { processPage } from '../workers/page.js';
import { withPdfPage } from '../workers/pdf/pdf-page.js';
import { ocrPixels } from '../workers/raster/page-pixels.js';
import { atReadableSize } from '../workers/raster/readable-size.js';
import { renderSize } from '../workers/raster/render-budget.js';
import { inkOrientation } from '../workers/raster/page-orientation.js';
import { deskew } from '../workers/raster/deskew.js';
import { findRulings } from '../workers/raster/rulings.js';
import { glyphHeight } from '../workers/raster/glyph-height.js';
import { drawPreview } from '../workers/ocr/page-ocr.js';
import { toTesseractImage, type GreyImage } from '../workers/raster/grey-image.js';
import type { PageTask } from '../src/schemas/page-result.js';
import { ACCURACY_CASES } from './accuracy.js';
import { cer } from './cer.js';
import { CORPUS } from './real-documents.js';

const { values } = parseArgs({ options: { tessdata: { type: 'string', default: '/tmp/sc/tessdata' }, pages: { type: 'string' }, 'no-steps': { type: 'boolean', default: false }, dump: { type: 'string' } } });
const tessdata = values.tessdata;
const only = values.pages ? new Set(values.pages.split(',').map(Number)) : null;

/** CPU seconds: [this process, its finished children] (/proc/self/stat utime+stime, cutime+cstime). */
function cpu(): [number, number] {
  const f = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return [(Number(f[11]) + Number(f[12])) / 100, (Number(f[13]) + Number(f[14])) / 100];
}
const ms = <T>(f: () => T): [T, number] => {
  const t0 = process.cpuUsage();
  const v = f();
  const u = process.cpuUsage(t0);
  return [v, Math.round((u.user + u.system) / 1000)];
};
const msAsync = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t0 = process.cpuUsage();
  const v = await f();
  const u = process.cpuUsage(t0);
  return [v, Math.round((u.user + u.system) / 1000)];
};

const task = (file: string, pageNo: number): PageTask => ({
  kind: 'pdf', path: file, page_no: pageNo, dpi: 300, max_megapixels: 25, lang: 'eng', tessdata_dir: '', tessdata_gzip: false,
  ocr_recycle_pages: 100, ocr_mode: 'auto', prompt_mode: 'prompt_layout_all_en', detect_orientation: true, deskew: true,
  text_layer_pdf: false, ocr_engine: 'native', native_tessdata_dir: tessdata,
});

async function pixelsOf(file: string, pageNo: number): Promise<{ grey: GreyImage; dpi: number }> {
  return withPdfPage({ path: file, page_no: pageNo, max_megapixels: 25 }, async (page, canvasFactory, decode) => {
    const base = page.getViewport({ scale: 1 });
    const size = renderSize(base.width, base.height, 300, 25);
    return atReadableSize(await decode(() => ocrPixels(page, size, 25, canvasFactory, { byTypeSize: true })));
  });
}

interface Row { page: string; cer: number; node_s: number; tess_s: number; wall_s: number; [step: string]: unknown }
const rows: Row[] = [];
const cases = ACCURACY_CASES.map((c, i) => ({ n: i + 1, name: c[0], pageNo: c[1], ref: c[2] })).filter((c) => !only || only.has(c.n));
// Warm: the first page compiles the code a pool thread has compiled after a few pages.
await processPage(task(path.join(CORPUS, 'OCRmyPDF', 'linn.pdf'), 1));
for (const { n, name, pageNo, ref } of cases) {
  const file = path.join(CORPUS, 'OCRmyPDF', name);
  const [s0, c0] = cpu();
  const t0 = performance.now();
  const out = await processPage(task(file, pageNo));
  const wall = performance.now() - t0;
  const [s1, c1] = cpu();
  if (!out.ok) throw new Error(`${name} p${pageNo}: ${out.error.message}`);
  const text = (JSON.parse(out.value.files.result) as { text: string }).text;
  if (values.dump) {
    const base = path.join(values.dump, `${n}`);
    fs.mkdirSync(values.dump, { recursive: true });
    fs.writeFileSync(`${base}.json`, out.value.files.result.replace(/"duration_ms":\d+/, '"duration_ms":0'));
    fs.writeFileSync(`${base}.md`, out.value.files.markdown ?? '');
    fs.writeFileSync(`${base}.cells.json`, out.value.files.cells ?? '');
    if (out.value.preview) fs.writeFileSync(`${base}.jpg`, out.value.preview);
  }
  const pageCer = Math.round(cer(text, fs.readFileSync(path.join(CORPUS, 'OCRmyPDF', ref), 'utf8')) * 10000) / 100;
  // The steps apart (not the same run: each again on the same pixels).
  if (values['no-steps']) {
    rows.push({ page: `${n} ${name} p${pageNo}`, cer: pageCer, node_s: Math.round((s1 - s0) * 100) / 100, tess_s: Math.round((c1 - c0) * 100) / 100, wall_s: Math.round(wall / 10) / 100 });
    continue;
  }
  const [px, pixelsMs] = await msAsync(() => pixelsOf(file, pageNo));
  const [, inkMs] = ms(() => inkOrientation(px.grey, true));
  const [straight, deskewMs] = ms(() => deskew(px.grey));
  const [, imageMs] = ms(() => toTesseractImage(straight.image));
  const typeSize = (glyphHeight(straight.image) ?? 10) * 2.2;
  const [, rulingsMs] = ms(() => findRulings(straight.image, typeSize));
  const [, previewMs] = await msAsync(() => drawPreview(straight.image, []));
  rows.push({
    page: `${n} ${name} p${pageNo}`, cer: pageCer, px: `${px.grey.width}x${px.grey.height}`, dpi: px.dpi, rot: out.value.page.source === 'ocr' ? undefined : '-',
    node_s: Math.round((s1 - s0) * 100) / 100, tess_s: Math.round((c1 - c0) * 100) / 100, wall_s: Math.round(wall / 10) / 100,
    pixels_ms: pixelsMs, ink_ms: inkMs, deskew_ms: deskewMs, image_ms: imageMs, rulings_ms: rulingsMs, preview_ms: previewMs,
  });
  process.stderr.write(`${JSON.stringify(rows.at(-1))}\n`);
}
console.table(rows);
const sum = (k: 'node_s' | 'tess_s' | 'wall_s') => Math.round(rows.reduce((s, r) => s + r[k], 0) * 100) / 100;
console.log(`pages ${rows.length}: pool-thread CPU ${sum('node_s')} s, tesseract children CPU ${sum('tess_s')} s, wall ${sum('wall_s')} s (one page at a time)`);
