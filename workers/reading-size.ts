import { downscaleGrey, type GreyImage } from './grey-image.js';
import { inkLines } from './ink-lines.js';

/** Line cores are measured on a copy this wide: a 10-pt core at 300 dpi is ~9 of its rows. */
const MEASURE_WIDTH = 1200;
/** A core this few rows of the copy tall is a rule or a speck, or type too small to measure. */
const MIN_CORE_ROWS = 3;
/** Fewer lines than this, or cores taller than MAX_CORE, are not a page of text to measure. */
const MIN_LINES = 10;
/** Taller cores (page pixels) are lines run together by skew, not type: p3 of the real scans gives 130. */
const MAX_CORE = 40;
/**
 * The x-height (page pixels) read as well as larger: on the real scans of the bench, 10-pt pages
 * read at x-height 19 (300 dpi), 16, 14 and 13 (200 dpi) gave the same character error rate
 * (1.0, 0.4–0.5, 0.4–0.5 %) in 12–15 % less time. Tesseract scales every line to a fixed height
 * anyway; what the extra pixels cost is its page analysis.
 */
const TARGET_X_HEIGHT = 14;
/** Never reduced further than this (300 → 200 dpi), whatever the measure says. */
const MIN_SCALE = 2 / 3;
/** A smaller reduction is not worth the resampling. */
const WORTHWHILE = 0.9;

/**
 * The x-height of the page's smaller common type, in page pixels: the first quartile of its
 * lines' core heights, so that footnotes and captions stay readable too. Null when the page does
 * not show enough clean lines to tell.
 */
export function smallTextHeight(grey: GreyImage): number | null {
  const { lines, scale } = inkLines(grey, MEASURE_WIDTH);
  // Rules, underlines and specks are runs of a row or two with no ascenders or descenders.
  const text = lines.filter((l) => l.bottom - l.top + 1 >= MIN_CORE_ROWS && l.end - l.start > l.bottom - l.top + 1);
  if (text.length < MIN_LINES) return null;
  const cores = text.map((l) => (l.bottom - l.top + 1) / scale).sort((a, b) => a - b);
  const quartile = cores[Math.floor(cores.length / 4)]!;
  return quartile <= MAX_CORE ? quartile : null;
}

/**
 * The page at the size that reads best for the least work: a page whose type is larger than
 * needed is reduced (box filter) so its small text keeps TARGET_X_HEIGHT; any other page is kept.
 */
export function atReadingSize(grey: GreyImage, dpi: number): { grey: GreyImage; dpi: number } {
  const height = smallTextHeight(grey);
  const scale = height === null ? 1 : Math.max(MIN_SCALE, TARGET_X_HEIGHT / height);
  if (scale > WORTHWHILE) return { grey, dpi };
  const width = Math.round(grey.width * scale);
  return { grey: downscaleGrey(grey, width, Math.round(grey.height * scale)), dpi: dpi * (width / grey.width) };
}
