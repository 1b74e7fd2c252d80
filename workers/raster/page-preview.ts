import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { Block, PreviewTask } from '../../src/schemas/page-result.js';
import { drawPreview, PREVIEW_WIDTH } from '../ocr/page-ocr.js';
import { withPdfPage } from '../pdf/pdf-page.js';
import { renderGrey, type CanvasFactory } from './page-pixels.js';

/**
 * The `_page_<i>.jpg` of a page read from its text layer, made when someone asks for it. Such a
 * page is never rendered to be read, and a render only for the picture cost ~210 ms a page, 25
 * times what reading its text costs: so the picture waits for a request (GET /image).
 */
export function renderPagePreview(task: PreviewTask): Promise<Uint8Array> {
  return withPdfPage(task, (page, canvasFactory, decode) => decode(() => previewOfPage(page, task.page_width, task.blocks, canvasFactory)));
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
