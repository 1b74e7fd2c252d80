import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PageOutput, PageTask } from '../src/schemas/page-result.js';
import { blocksFromTextItems, categorize, isUsableTextLayer, pageText, type TextItemLike } from './page-layout.js';
import { ocrPageImage } from './page-ocr.js';
import { openPdf, releasePageCaches } from './pdf-documents.js';
import { isDroppedImageWarning } from './pdf-warnings.js';
import { ocrPixels, type CanvasFactory } from './page-pixels.js';
import { renderSize } from './render-budget.js';
import { TaskFailure } from './task-errors.js';

/** Images above this many pixels are dropped by pdf.js rather than decoded (see pdf-documents.ts). */
export const imagePixelLimit = (maxMegapixels: number) => Math.round(maxMegapixels * 4e6);

export async function pdfPageCount(file: string, password: string | undefined, maxMegapixels: number): Promise<number> {
  const doc = await openPdf(file, { password, maxImagePixels: imagePixelLimit(maxMegapixels) });
  return doc.numPages;
}

/** Which pages keep their own text: `auto` a usable layer, `skip-text` any layer, `force` none. */
function keepsTextLayer(items: TextItemLike[], mode: PageTask['ocr_mode']): boolean {
  if (mode === 'force') return false;
  if (mode === 'skip-text') return items.some((i) => i.str.trim() !== '');
  return isUsableTextLayer(items);
}

export async function processPdfPage(task: PageTask): Promise<Omit<PageOutput, 'page'> & { page: Omit<PageOutput['page'], 'duration_ms'> }> {
  const doc = await openPdf(task.path, { password: task.password, maxImagePixels: imagePixelLimit(task.max_megapixels) });
  const canvasFactory = (doc as unknown as { canvasFactory: CanvasFactory }).canvasFactory;
  let page: PDFPageProxy;
  try {
    page = await doc.getPage(task.page_no);
  } catch (err) {
    throw new TaskFailure('render_failed', `Page ${task.page_no} could not be loaded: ${(err as Error).message}`);
  }
  try {
    const base = page.getViewport({ scale: 1 });
    const size = renderSize(base.width, base.height, task.dpi, task.max_megapixels);
    const viewport = page.getViewport({ scale: size.scale });
    const warnings: string[] = [];
    if (size.capped) warnings.push(`Rendered at ${size.dpi} dpi instead of ${task.dpi} to stay within ${task.max_megapixels} MP.`);
    const common = { page_no: task.page_no, dpi: size.dpi, warnings };

    const content = await page.getTextContent();
    const items = content.items.filter((i): i is TextItemLike & typeof i => 'str' in i);
    if (keepsTextLayer(items, task.ocr_mode)) {
      const blocks = categorize(blocksFromTextItems(items, viewport.transform, size.scale), size.height, task.page_no);
      // No preview here: it is drawn on request (page-preview.ts), as rendering costs far more than reading the text.
      return {
        page: { ...common, width: size.width, height: size.height, source: 'text-layer', confidence: 100, text: pageText(blocks), blocks, rotation: 0, blank: false },
      };
    }

    const pixels = await ocrPixels(page, size, task.max_megapixels, canvasFactory);
    common.dpi = pixels.dpi;
    const dropped = pixels.warnings.some(isDroppedImageWarning);
    const ocr = await ocrPageImage(pixels.grey, pixels.dpi, task.page_no, task);
    if (dropped) {
      if (ocr.blocks.length === 0) {
        throw new TaskFailure('image_too_large', `An image on page ${task.page_no} is larger than ${imagePixelLimit(task.max_megapixels) / 1e6} MP and was not decoded; the page would be blank.`);
      }
      warnings.push(`An image larger than ${imagePixelLimit(task.max_megapixels) / 1e6} MP was left out of the page.`);
    }
    return {
      page: {
        ...common, width: ocr.width, height: ocr.height, source: 'ocr', confidence: ocr.confidence, text: pageText(ocr.blocks), blocks: ocr.blocks,
        rotation: ocr.rotation, blank: ocr.blank,
      },
      textLayerPdf: ocr.textLayerPdf,
      preview: ocr.preview,
    };
  } finally {
    page.cleanup();
    await releasePageCaches(doc);
  }
}
