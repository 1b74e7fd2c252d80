import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PageOutput, PageTask } from '../src/schemas/page-result.js';
import { greyFromRgba, type GreyImage } from './grey-image.js';
import { blocksFromTextItems, categorize, isUsableTextLayer, pageText, type TextItemLike } from './page-layout.js';
import { drawPreview, ocrPageImage } from './page-ocr.js';
import { openPdf, releasePageCaches } from './pdf-documents.js';
import { collectPdfWarnings, isDroppedImageWarning } from './pdf-warnings.js';
import { renderSize, type RenderSize } from './render-budget.js';
import { scanResolution } from './scan-resolution.js';
import { TaskFailure } from './task-errors.js';

/** Images above this many pixels are dropped by pdf.js rather than decoded (see pdf-documents.ts). */
export const imagePixelLimit = (maxMegapixels: number) => Math.round(maxMegapixels * 4e6);
/** Scans are never rendered below this, however coarse the scan: tesseract wants about this much. */
const MIN_SCAN_DPI = 150;
/** Text-layer pages get a preview rendered at this width only (they are not rendered otherwise). */
const TEXT_PAGE_PREVIEW_WIDTH = 1000;

interface CanvasFactory { create(w: number, h: number): unknown; destroy(c: unknown): void }

export async function pdfPageCount(file: string, password: string | undefined, maxMegapixels: number): Promise<number> {
  const doc = await openPdf(file, { password, maxImagePixels: imagePixelLimit(maxMegapixels) });
  return doc.numPages;
}

async function renderGrey(page: PDFPageProxy, size: Pick<RenderSize, 'scale' | 'width' | 'height'>, canvasFactory: CanvasFactory): Promise<GreyImage> {
  const viewport = page.getViewport({ scale: size.scale });
  let target: { canvas: { data(): Buffer }; context: unknown };
  try {
    target = canvasFactory.create(size.width, size.height) as typeof target;
  } catch (err) {
    throw new TaskFailure('image_too_large', `A ${size.width}×${size.height} canvas could not be created: ${(err as Error).message}`);
  }
  try {
    await page.render({ canvas: target.canvas as never, viewport, background: '#ffffff' }).promise;
    return greyFromRgba(target.canvas.data(), size.width, size.height);
  } finally {
    canvasFactory.destroy(target);
  }
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
      let preview: Uint8Array | undefined;
      if (task.preview) {
        const f = Math.min(1, TEXT_PAGE_PREVIEW_WIDTH / size.width);
        const small = await renderGrey(page, { scale: size.scale * f, width: Math.max(1, Math.round(size.width * f)), height: Math.max(1, Math.round(size.height * f)) }, canvasFactory);
        preview = await drawPreview({ ...small, width: small.width, height: small.height }, blocks.map((b) => ({ ...b, bbox: b.bbox.map((n) => n * f) as typeof b.bbox })));
      }
      return {
        page: { ...common, width: size.width, height: size.height, source: 'text-layer', confidence: 100, text: pageText(blocks), blocks, rotation: 0, blank: false },
        preview,
      };
    }

    // A scan is rendered at its own resolution when that is lower than the target (never finer
    // than the scan, never below MIN_SCAN_DPI); everything else at the target.
    const scanDpi = await collectPdfWarnings(() => scanResolution(page));
    const ocrSize = scanDpi.value && scanDpi.value < task.dpi
      ? renderSize(base.width, base.height, Math.max(MIN_SCAN_DPI, Math.round(scanDpi.value)), task.max_megapixels)
      : size;
    const rendered = await collectPdfWarnings(() => renderGrey(page, ocrSize, canvasFactory));
    rendered.warnings.push(...scanDpi.warnings);
    common.dpi = ocrSize.dpi;
    const dropped = rendered.warnings.some(isDroppedImageWarning);
    const ocr = await ocrPageImage(rendered.value, ocrSize.dpi, task.page_no, task);
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
