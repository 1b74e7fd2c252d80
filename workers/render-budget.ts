/**
 * Chooses the render scale from a pixel budget, never from DPI alone: a 250-inch poster at
 * 300 dpi would be billions of pixels, and canvas creation simply throws on such sizes.
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

/** Grey 8-bit PGM (P5) from RGBA: tesseract.js reads it faster than PNG, and encoding it is nearly free. */
export function rgbaToPgm(rgba: Uint8Array | Buffer, width: number, height: number): Buffer {
  const header = Buffer.from(`P5\n${width} ${height}\n255\n`, 'ascii');
  const out = Buffer.allocUnsafe(header.length + width * height);
  header.copy(out, 0);
  for (let i = 0, j = 0, o = header.length; i < width * height; i++, j += 4, o++) {
    // ITU-R BT.601 luma in fixed point.
    out[o] = (rgba[j]! * 77 + rgba[j + 1]! * 150 + rgba[j + 2]! * 29) >> 8;
  }
  return out;
}
