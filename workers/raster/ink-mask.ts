import type { GreyImage } from './grey-image.js';

/**
 * A pixel darker than its neighbourhood's mean by this share is ink (Bradley and Roth's adaptive
 * threshold). One global level (Otsu) loses a rule drawn on a grey or coloured fill, whose grey
 * may sit on the ink's side of the level while the rule is only a little darker still. A quarter:
 * at a fill's edge against white paper the window's mean is at most halfway between the two, so a
 * fill lighter than ~60 % grey (luma 153) never turns into a band of ink along its edge there, a
 * band that would swallow the table's outer rules (too thick to be a rule, it is dropped).
 */
const DARKER_THAN_MEAN = 0.25;
/** Paler than this is never ink, however pale its neighbourhood: scanner noise on white paper. */
const PAPER = 230;

/**
 * The page's ink as a mask (1 = ink), each pixel judged against the mean of the (2r+1)² square
 * around it. `r` should be a few times a rule's thickness, so a rule never fills its own window.
 * The window's sums slide: per-column sums over the window's rows, then a running sum along each
 * row; O(pixels) time, O(width) memory beside the mask. `asGrey`: ink 0 and the rest 255 instead
 * (a grey image whose Otsu level parts the two exactly, for glyph-height.ts's shapes).
 */
export function inkMask(img: GreyImage, r: number, asGrey = false): Uint8Array {
  const { data, width: w, height: h } = img;
  const mask = new Uint8Array(w * h);
  const [ink, paper] = asGrey ? [0, 255] : [1, 0];
  if (paper) mask.fill(paper);
  const cols = new Uint32Array(w);
  const keep = Math.round((1 - DARKER_THAN_MEAN) * 1024);
  // Where the window lies wholly inside the row and has a column to drop ([r + 1, w - r)), no
  // edge tests: most of the pixels.
  const midFrom = Math.min(r + 1, w);
  const midTo = Math.max(midFrom, w - r);
  // Rows [0, r) enter before the first row is judged.
  for (let y = 0; y < Math.min(r, h); y++) for (let x = 0, i = y * w; x < w; x++, i++) cols[x]! += data[i]!;
  for (let y = 0; y < h; y++) {
    const enter = y + r;
    const leave = y - r - 1;
    // One pass where a row enters and another leaves (most rows), else the one that moves.
    if (enter < h && leave >= 0) for (let x = 0, i = enter * w, j = leave * w; x < w; x++, i++, j++) cols[x] = cols[x]! + data[i]! - data[j]!;
    else if (enter < h) for (let x = 0, i = enter * w; x < w; x++, i++) cols[x]! += data[i]!;
    else if (leave >= 0) for (let x = 0, i = leave * w; x < w; x++, i++) cols[x]! -= data[i]!;
    const rows = Math.min(h - 1, y + r) - Math.max(0, y - r) + 1;
    let sum = 0;
    for (let x = 0; x < Math.min(r, w); x++) sum += cols[x]!;
    const row = y * w;
    const scaled = rows * (2 * r + 1) * 1024;
    // v < mean × (1 − DARKER_THAN_MEAN), in integers: v·area·1024 < sum·keep.
    for (let x = 0; x < w; x++) {
      if (x === midFrom) {
        for (; x < midTo; x++) {
          sum += cols[x + r]! - cols[x - r - 1]!;
          const v = data[row + x]!;
          if (v <= PAPER && v * scaled < sum * keep) mask[row + x] = ink;
        }
        if (x === w) break;
      }
      // Near the row's ends the window is cut off: its sum and area say so.
      if (x + r < w) sum += cols[x + r]!;
      if (x - r - 1 >= 0) sum -= cols[x - r - 1]!;
      const v = data[row + x]!;
      if (v > PAPER) continue;
      const area = rows * (Math.min(w - 1, x + r) - Math.max(0, x - r) + 1);
      if (v * area * 1024 < sum * keep) mask[row + x] = ink;
    }
  }
  return mask;
}
