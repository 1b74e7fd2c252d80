import fs from 'node:fs/promises';
import path from 'node:path';
import { ocrPixels, type CanvasFactory } from '../../workers/raster/page-pixels.js';
import { openPdf } from '../../workers/pdf/pdf-documents.js';
import { renderSize } from '../../workers/raster/render-budget.js';

/** Page `pageNo` of a PDF file through the workers' document cache, with the canvas factory pdf.js draws with. */
export async function pdfPageOf(file: string, pageNo = 1) {
  const doc = await openPdf(file, { maxImagePixels: 1e9 });
  const page = await doc.getPage(pageNo);
  return { page, canvasFactory: (doc as unknown as { canvasFactory: CanvasFactory }).canvasFactory };
}

/** Writes `pdf` to `dir/name` and gets page 1's OCR pixels for a 300-dpi target (100 MP budget). */
export async function ocrPixelsAt300(dir: string, name: string, pdf: Buffer, byTypeSize: boolean) {
  const file = path.join(dir, name);
  await fs.writeFile(file, pdf);
  const { page, canvasFactory } = await pdfPageOf(file);
  const base = page.getViewport({ scale: 1 });
  return ocrPixels(page, renderSize(base.width, base.height, 300, 100), 100, canvasFactory, { byTypeSize });
}
