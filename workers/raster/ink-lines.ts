import { shrinkGrey, type GreyImage } from './grey-image.js';

/** Darker than this is ink. */
const INK_LEVEL = 128;
/** A row with less ink than this share of the darkest row's is a gap between lines. */
const GAP_SHARE = 0.02;
/** A line's core (its x-height band) is its rows at least this share as dark as its darkest. */
const CORE_SHARE = 0.4;

/** How many ink pixels each row and each column of the image holds. */
export function inkProfiles(img: GreyImage): { rows: Float64Array; cols: Float64Array } {
  const rows = new Float64Array(img.height);
  const cols = new Float64Array(img.width);
  for (let y = 0; y < img.height; y++) {
    const row = y * img.width;
    for (let x = 0; x < img.width; x++) {
      if (img.data[row + x]! < INK_LEVEL) {
        rows[y]!++;
        cols[x]!++;
      }
    }
  }
  return { rows, cols };
}

/** A run of inked rows: all its ink, and the ink above its core (ascenders) and below it (descenders). */
export interface InkLine { ink: number; above: number; below: number }

/**
 * The lines of text of a page as runs of inked rows, found on a copy `width` wide. Lines only
 * separate on an upright or upside-down page that is not much skewed; callers judge from how many
 * lines they get.
 */
export function inkLines(grey: GreyImage, width: number): InkLine[] {
  const copy = shrinkGrey(grey, width);
  const { rows } = inkProfiles(copy);
  // A loop, not Math.max(...rows): a page 100 px wide and 250,000 tall has too many rows to spread.
  let darkest = 0;
  for (const ink of rows) darkest = Math.max(darkest, ink);
  const gap = darkest * GAP_SHARE;
  const lines: InkLine[] = [];
  for (let y = 0; y < rows.length;) {
    if (rows[y]! <= gap) {
      y++;
      continue;
    }
    const start = y;
    let peak = 0;
    let ink = 0;
    for (; y < rows.length && rows[y]! > gap; y++) {
      peak = Math.max(peak, rows[y]!);
      ink += rows[y]!;
    }
    let top = start;
    while (rows[top]! < peak * CORE_SHARE) top++;
    let bottom = y - 1;
    while (rows[bottom]! < peak * CORE_SHARE) bottom--;
    let above = 0;
    let below = 0;
    for (let i = start; i < top; i++) above += rows[i]!;
    for (let i = bottom + 1; i < y; i++) below += rows[i]!;
    lines.push({ ink, above, below });
  }
  return lines;
}
