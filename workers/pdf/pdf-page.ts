import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PageReading, PageTask } from '../../src/schemas/page-result.js';
import { blocksFromTextItems, categorize, pageText, type TextItemLike } from '../layout/page-layout.js';
import { ocrPageImage } from '../ocr/page-ocr.js';
import { assertMasksWithinLimit, openPdf, releasePageCaches } from './pdf-documents.js';
import { isDroppedImageWarning } from './pdf-warnings.js';
import { ocrPixels, type CanvasFactory } from '../raster/page-pixels.js';
import { atReadableSize, typeSizeDecides } from '../raster/readable-size.js';
import { collectGarbage, COLLECT_AFTER_PIXELS, throughPixelLane } from '../raster/pixel-lane.js';
import { renderSize, type RenderSize } from '../raster/render-budget.js';
import { TaskFailure } from '../task-errors.js';
import { judgeTextLayer } from './text-plausibility.js';
import { vectorRulings } from './vector-rulings.js';
import { tableBlocks } from '../layout/tables/table-blocks.js';
import { mayHoldTable, typeSizeOf } from '../layout/tables/table-candidates.js';

/** Images above this many pixels are dropped by pdf.js rather than decoded (see pdf-documents.ts). */
export const imagePixelLimit = (maxMegapixels: number) => Math.round(maxMegapixels * 4e6);

export async function pdfPageCount(file: string, password: string | undefined, maxMegapixels: number): Promise<number> {
  const doc = await openPdf(file, { password, maxImagePixels: imagePixelLimit(maxMegapixels) });
  return doc.numPages;
}

/** An OCR reading this unsure loses to a text layer whose only fault is its script. */
const OCR_BEATS_FOREIGN_LAYER_CONFIDENCE = 70;

interface LayerDecision { keep: boolean; reason: string; ocrMustBeatIt: boolean }

/**
 * Which pages keep their own text, and why (the page's `source_reason`): `auto` a plausible layer,
 * `skip-text` any layer, `force` none.
 */
function textLayerDecision(items: TextItemLike[], task: PageTask): LayerDecision {
  if (task.ocr_mode === 'force') return { keep: false, reason: 'ocr-forced', ocrMustBeatIt: false };
  if (task.ocr_mode === 'skip-text') {
    const any = items.some((i) => i.str.trim() !== '');
    return { keep: any, reason: any ? 'text-layer' : 'no-text-layer', ocrMustBeatIt: false };
  }
  const verdict = judgeTextLayer(items.map((i) => i.str).join(''), task.lang);
  if (verdict.usable) return { keep: true, reason: 'text-layer', ocrMustBeatIt: false };
  return { keep: false, reason: verdict.reason, ocrMustBeatIt: verdict.ocrMustBeatIt };
}

interface PageContext {
  page: PDFPageProxy; task: PageTask; size: RenderSize; items: TextItemLike[]; canvasFactory: CanvasFactory; decode: PixelAccess;
  common: { page_no: number; dpi: number; warnings: string[] };
}

/** The page from its own text layer: words and boxes from pdf.js, no OCR. */
async function fromTextLayer(ctx: PageContext, reason: string): Promise<PageReading> {
  const { page, size, items, common } = ctx;
  const viewport = page.getViewport({ scale: size.scale });
  let blocks = categorize(blocksFromTextItems(items, viewport.transform, size.scale), size.height, 'text-layer');
  // Tables: the page's drawn rules are read only where the words suggest a grid, as reading them
  // costs about what reading the text does (bench/accuracy/icdar2013.ts, docs/tables.md).
  const typeSize = typeSizeOf(blocks);
  if (mayHoldTable(blocks, typeSize)) {
    // The operator list decodes the page's images too: through the pixel lane, as a render's are.
    // Images past the document's limit leave the page without tables, not without its text.
    const rulings = await ctx.decode(() => vectorRulings(page, viewport.transform)).catch((err: unknown) => {
      if (err instanceof TaskFailure && err.code === 'image_too_large') return null;
      throw err;
    });
    // null: a page drawing more than a table finder should look at; it is read as text.
    if (rulings) blocks = tableBlocks(blocks, rulings, { width: size.width, height: size.height, typeSize });
  }
  // No preview here: it is drawn on request (page-preview.ts), as rendering costs far more than reading the text.
  return {
    page: {
      ...common, dpi: size.dpi, width: size.width, height: size.height, source: 'text-layer', source_reason: reason, confidence: 100,
      text: pageText(blocks), blocks, rotation: 0, blank: false,
    },
  };
}

/** How a page's images are decoded: through the pool's pixel lane, once the document's masks are known to fit. */
export type PixelAccess = <T>(obtain: () => Promise<T>) => Promise<T>;

/**
 * Runs `use` on one page of a PDF from the thread's parsed-document cache, and releases the page's
 * caches after. A page pdf.js cannot load is `render_failed`.
 */
export async function withPdfPage<T>(
  task: { path: string; password?: string; max_megapixels: number; page_no: number },
  use: (page: PDFPageProxy, canvasFactory: CanvasFactory, decode: PixelAccess) => Promise<T>,
): Promise<T> {
  const limit = imagePixelLimit(task.max_megapixels);
  const doc = await openPdf(task.path, { password: task.password, maxImagePixels: limit });
  let decoded = false;
  const decode: PixelAccess = (obtain) => {
    decoded = true;
    assertMasksWithinLimit(doc, limit);
    return throughPixelLane(obtain);
  };
  const canvasFactory = (doc as unknown as { canvasFactory: CanvasFactory }).canvasFactory;
  let page: PDFPageProxy;
  try {
    page = await doc.getPage(task.page_no);
  } catch (err) {
    throw new TaskFailure('render_failed', `Page ${task.page_no} could not be loaded: ${(err as Error).message}`);
  }
  try {
    return await use(page, canvasFactory, decode);
  } finally {
    page.cleanup();
    await releasePageCaches(doc, decoded);
  }
}

export function processPdfPage(task: PageTask): Promise<PageReading> {
  return withPdfPage(task, async (page, canvasFactory, decode) => {
    const base = page.getViewport({ scale: 1 });
    const size = renderSize(base.width, base.height, task.dpi, task.max_megapixels);
    const warnings: string[] = [];
    if (size.capped) warnings.push(`Rendered at ${size.dpi} dpi instead of ${task.dpi} to stay within ${task.max_megapixels} MP.`);
    const common = { page_no: task.page_no, dpi: size.dpi, warnings };

    const content = await page.getTextContent();
    const items = content.items.filter((i): i is TextItemLike & typeof i => 'str' in i);
    const ctx: PageContext = { page, task, size, items, canvasFactory, decode, common };
    const decision = textLayerDecision(items, task);
    if (decision.keep) return await fromTextLayer(ctx, decision.reason);

    const byTypeSize = typeSizeDecides(task.lang);
    let pixels: Awaited<ReturnType<typeof ocrPixels>>;
    try {
      pixels = await decode(async () => {
        const obtained = await ocrPixels(page, size, task.max_megapixels, canvasFactory, { byTypeSize });
        // The decoded images go now, before another thread may decode: only the grey image is read.
        page.cleanup();
        if (obtained.heldPixels > COLLECT_AFTER_PIXELS) collectGarbage();
        return obtained;
      });
    } catch (err) {
      // Images too large to decode: a text layer, even one judged poor, is better than nothing.
      if (!(err instanceof TaskFailure && err.code === 'image_too_large') || !items.some((i) => i.str.trim())) throw err;
      warnings.push(err.message);
      return await fromTextLayer(ctx, 'text-layer: kept, the page\'s images are too large to decode for OCR');
    }
    // Out of the pixel lane, with the decoded images gone: the other thread may decode meanwhile.
    if (byTypeSize) pixels = atReadableSize(pixels);
    const dropped = pixels.warnings.some(isDroppedImageWarning);
    const ocr = await ocrPageImage(pixels.grey, pixels.dpi, task);
    // A layer in another script than the requested languages may be a real Russian or Chinese
    // page read with the default `eng`: OCR in the wrong language reads it worse than the layer
    // (measured: confidence 34–45), while a byte-swapped map's page OCRs at ~95.
    if (decision.ocrMustBeatIt && ocr.confidence < OCR_BEATS_FOREIGN_LAYER_CONFIDENCE) {
      return await fromTextLayer(ctx, `text-layer: kept, OCR in ${task.lang} read it worse (confidence ${ocr.confidence})`);
    }
    if (dropped) {
      if (ocr.blocks.length === 0) {
        throw new TaskFailure('image_too_large', `An image on page ${task.page_no} is larger than ${imagePixelLimit(task.max_megapixels) / 1e6} MP and was not decoded; the page would be blank.`);
      }
      warnings.push(`An image larger than ${imagePixelLimit(task.max_megapixels) / 1e6} MP was left out of the page.`);
    }
    return {
      page: {
        ...common, dpi: pixels.dpi, width: ocr.width, height: ocr.height, source: 'ocr', source_reason: decision.reason,
        confidence: ocr.confidence, text: pageText(ocr.blocks), blocks: ocr.blocks, rotation: ocr.rotation, skew: ocr.skew, blank: ocr.blank,
      },
      textLayerPdf: ocr.textLayerPdf,
      preview: ocr.preview,
    };
  });
}
