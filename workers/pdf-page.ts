import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PageResult, PageTask } from '../src/schemas/page-result.js';
import { recognize } from './ocr-engine.js';
import { blocksFromOcr, blocksFromTextItems, categorize, isUsableTextLayer, pageConfidence, pageText, type TextItemLike } from './page-layout.js';
import { openPdf } from './pdf-documents.js';
import { collectPdfWarnings, isDroppedImageWarning } from './pdf-warnings.js';
import { renderSize, rgbaToPgm, type RenderSize } from './render-budget.js';
import { TaskFailure } from './task-errors.js';

/** Images above this many pixels are dropped by pdf.js rather than decoded (see pdf-documents.ts). */
export const imagePixelLimit = (maxMegapixels: number) => Math.round(maxMegapixels * 4e6);

export async function pdfPageCount(file: string, password: string | undefined, maxMegapixels: number): Promise<number> {
  const doc = await openPdf(file, { password, maxImagePixels: imagePixelLimit(maxMegapixels) });
  return doc.numPages;
}

async function renderToPgm(page: PDFPageProxy, size: RenderSize, canvasFactory: CanvasFactory): Promise<Buffer> {
  const viewport = page.getViewport({ scale: size.scale });
  let target: { canvas: { data(): Buffer }; context: unknown };
  try {
    target = canvasFactory.create(size.width, size.height) as typeof target;
  } catch (err) {
    throw new TaskFailure('image_too_large', `A ${size.width}×${size.height} canvas could not be created: ${(err as Error).message}`);
  }
  try {
    await page.render({ canvas: target.canvas as never, viewport, background: '#ffffff' }).promise;
    return rgbaToPgm(target.canvas.data(), size.width, size.height);
  } finally {
    canvasFactory.destroy(target);
  }
}

interface CanvasFactory { create(w: number, h: number): unknown; destroy(c: unknown): void }

export async function processPdfPage(task: PageTask): Promise<Omit<PageResult, 'duration_ms'>> {
  const doc = await openPdf(task.path, { password: task.password, maxImagePixels: imagePixelLimit(task.max_megapixels) });
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

    const content = await page.getTextContent();
    const items = content.items.filter((i): i is TextItemLike & typeof i => 'str' in i);
    const common = { page_no: task.page_no, width: size.width, height: size.height, dpi: size.dpi };

    if (isUsableTextLayer(items)) {
      const blocks = categorize(blocksFromTextItems(items, viewport.transform, size.scale), size.height, task.page_no);
      return { ...common, source: 'text-layer', confidence: 100, text: pageText(blocks), blocks, warnings };
    }

    const rendered = await collectPdfWarnings(() =>
      renderToPgm(page, size, (doc as unknown as { canvasFactory: CanvasFactory }).canvasFactory),
    );
    const dropped = rendered.warnings.some(isDroppedImageWarning);
    const ocr = await recognize(rendered.value, task.lang, task.ocr_recycle_pages);
    const blocks = categorize(blocksFromOcr(ocr), size.height, task.page_no);
    if (dropped) {
      if (blocks.length === 0) {
        throw new TaskFailure('image_too_large', `An image on page ${task.page_no} is larger than ${imagePixelLimit(task.max_megapixels) / 1e6} MP and was not decoded; the page would be blank.`);
      }
      warnings.push(`An image larger than ${imagePixelLimit(task.max_megapixels) / 1e6} MP was left out of the page.`);
    }
    return { ...common, source: 'ocr', confidence: pageConfidence(blocks), text: pageText(blocks), blocks, warnings };
  } finally {
    page.cleanup();
  }
}
