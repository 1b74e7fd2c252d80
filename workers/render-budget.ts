/**
 * Chooses the render scale from a pixel budget, never from DPI alone: a 250-inch poster at
 * 300 dpi would be billions of pixels, and canvas creation simply throws on such sizes.
 * Small pages (a receipt, a stamp scanned at 2400 dpi) are rendered finer, so their text is
 * still tall enough in pixels for OCR.
 */
export interface RenderSize { scale: number; dpi: number; width: number; height: number; capped: boolean }

/** Pages whose long side is under this (points; 5 inches) are rendered at twice the dpi, up to 600. */
const SMALL_PAGE_PT = 5 * 72;
const MAX_SMALL_PAGE_DPI = 600;

export function renderSize(widthPt: number, heightPt: number, targetDpi: number, maxMegapixels: number): RenderSize {
  const budget = maxMegapixels * 1e6;
  let scale = targetDpi / 72;
  if (Math.max(widthPt, heightPt) < SMALL_PAGE_PT) scale = Math.max(scale, Math.min(MAX_SMALL_PAGE_DPI, targetDpi * 2) / 72);
  let capped = false;
  if (widthPt * scale * heightPt * scale > budget) {
    scale = Math.sqrt(budget / (widthPt * heightPt));
    capped = true;
  }
  return {
    scale,
    dpi: Math.round(scale * 72 * 10) / 10,
    width: Math.max(1, Math.round(widthPt * scale)),
    height: Math.max(1, Math.round(heightPt * scale)),
    capped,
  };
}
