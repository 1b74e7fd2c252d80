import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { Block, PreviewTask } from '../src/schemas/page-result.js';
import { drawPreview, PREVIEW_WIDTH } from './page-ocr.js';
import { openPdf, releasePageCaches } from './pdf-documents.js';
import { imagePixelLimit } from './pdf-page.js';
import { renderGrey, type CanvasFactory } from './page-pixels.js';
import { TaskFailure } from './task-errors.js';

/**
 * The `_page_<i>.jpg` of a page read from its text layer, made when someone asks for it. Such a
 * page is never rendered to be read, and a render only for the picture cost ~210 ms a page, 25
 * times what reading its text costs: so the picture waits for a request (GET /image).
 */
export async function renderPagePreview(task: PreviewTask): Promise<Uint8Array> {
  const doc = await openPdf(task.path, { password: task.password, maxImagePixels: imagePixelLimit(task.max_megapixels) });
  const canvasFactory = (doc as unknown as { canvasFactory: CanvasFactory }).canvasFactory;
  let page: PDFPageProxy;
  try {
    page = await doc.getPage(task.page_no);
  } catch (err) {
    throw new TaskFailure('render_failed', `Page ${task.page_no} could not be loaded: ${(err as Error).message}`);
  }
  try {
    return await previewOfPage(page, task.page_width, task.blocks, canvasFactory);
  } finally {
    page.cleanup();
    await releasePageCaches(doc);
  }
}

/**
 * Renders at preview width only. `blocks` are in pixels of the page as it was read (`pageWidth`
 * wide), so they are scaled by the same factor, whatever resolution the page was read at.
 */
async function previewOfPage(page: PDFPageProxy, pageWidth: number, blocks: Block[], canvasFactory: CanvasFactory) {
  const base = page.getViewport({ scale: 1 });
  const width = Math.max(1, Math.round(Math.min(PREVIEW_WIDTH, pageWidth)));
  const scale = width / base.width;
  const small = await renderGrey(page, { scale, width, height: Math.max(1, Math.round(base.height * scale)) }, canvasFactory);
  const f = width / pageWidth;
  return drawPreview(small, blocks.map((b) => ({ ...b, bbox: b.bbox.map((n) => n * f) as Block['bbox'] })));
}
