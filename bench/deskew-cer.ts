/**
 * What deskew does to reading the leaning real scans of ../shared/corpus/OCRmyPDF (skew.pdf, and
 * multipage.pdf's page 5, the same page at 72 dpi) and to a straight one (linn.pdf): each page read
 * by the worker's page reader in this process, native tesseract with the best_int model pagemill
 * uses by default, with deskew on and off; CER against the reference text and the skew found.
 * Usage: npx tsx bench/deskew-cer.ts
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { processPdfPage } from '../workers/pdf/pdf-page.js';
import { bestIntTessdata } from './accuracy/icdar-scanned.js';
import { ACCURACY_CASES } from './accuracy.js';
import { cer } from './cer.js';
import { CORPUS } from './real-documents.js';

const CASES = ACCURACY_CASES.filter(([name, page]) => name === 'skew.pdf' || name === 'linn.pdf' || (name === 'multipage.pdf' && page === 5));
const tessdata = await bestIntTessdata();
const rows = [];
for (const [name, pageNo, ref] of CASES) {
  const reference = await fs.readFile(path.join(CORPUS, 'OCRmyPDF', ref), 'utf8');
  const row: Record<string, string | number> = { page: `${name} p${pageNo}` };
  for (const deskew of [false, true]) {
    const { page } = await processPdfPage({
      kind: 'pdf', path: path.join(CORPUS, 'OCRmyPDF', name), page_no: pageNo, dpi: 300, max_megapixels: 25, lang: 'eng',
      tessdata_dir: '', tessdata_gzip: true, ocr_recycle_pages: 100, ocr_mode: 'auto', prompt_mode: 'prompt_ocr',
      detect_orientation: false, text_layer_pdf: false, ocr_engine: 'native', native_tessdata_dir: tessdata, deskew,
    });
    row[deskew ? 'cer_deskew' : 'cer_as_scanned'] = Number((cer(page.text, reference) * 100).toFixed(2));
    if (deskew) row.skew = page.skew ?? 0;
  }
  rows.push(row);
}
console.table(rows);
