/**
 * Chooses the render scale from a pixel budget, never from DPI alone: a 250-inch poster at
 * 300 dpi would be billions of pixels, and canvas creation simply throws on such sizes.
 * Small pages are not rendered finer: measured on 2400dpi.pdf, 600 dpi made its title letters
 * too tall for tesseract (CER 10.6 % against 1.5 % at 300 dpi).
 */
export interface RenderSize { scale: number; dpi: number; width: number; height: number; capped: boolean }

export function renderSize(widthPt: number, heightPt: number, targetDpi: number, maxMegapixels: number): RenderSize {
  const budget = maxMegapixels * 1e6;
  let scale = targetDpi / 72;
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
