import { rotateGrey, shrinkGrey, type GreyImage } from './grey-image.js';
import { inkLines, inkProfiles, type InkLine } from './ink-lines.js';

/*
 * Signs, taken in milliseconds from the page's ink, that a scan is not upright: then the page is
 * turned before the first reading rather than after a wasted one (a full reading saved, ~2.5 s on
 * a 300-dpi page), by the ink's own verdict when it leaves no doubt (Latin script, 15+ lines),
 * else by orientation detection. Only clear cases count; any other page is read first and, when
 * the reading is unsure, turned after, as before. A false sign costs one orientation detection
 * (which finds the page upright), or, when the ink was trusted, one reading the wrong way round:
 * it reads unsure, detection is asked and the better reading kept. Thresholds measured on the real
 * scans of the bench (bench/real-documents.ts) and on the generated page of
 * test/workers/raster/page-orientation.test.ts.
 */

/** Lines of 10-pt text stay apart on a copy this wide, and letters blur into lines. */
const SIDEWAYS_WIDTH = 400;
/**
 * Row contrast over column contrast below this: the lines run up the sheet. 2.6–3.6 on upright
 * full text pages, 0.23–0.40 on the same turned a quarter; 0.7–1.2 on skewed, coarse and sparse
 * pages either way.
 */
const SIDEWAYS_BELOW = 0.5;
/** Ascenders and descenders are a few pixels tall on a copy this wide. */
const LINES_WIDTH = 800;
/**
 * Ink above the lines' cores over ink below them, under this: upside down (Latin-script
 * ascenders outnumber descenders). 4.3–7.6 on upright full text pages, 0.11–0.21 on the same
 * turned over; 1.3–2.3 upright and 0.44–0.8 turned on skewed, coarse or short pages.
 */
const UPSIDE_DOWN_BELOW = 0.4;
/**
 * Less of the lines' ink than this above and below their cores: not letters (ruled forms, table
 * grids, bars). Text pages of the real scans have 5–12 % there, a page of rules none.
 */
const MIN_OUTSIDE_SHARE = 0.02;
/** Fewer lines than this say nothing about the page. */
const MIN_LINES = 5;
/**
 * The ink alone says which way is up (no orientation detection) only with at least this many
 * lines: a page of prose has 30–50, while a word or two turned sideways makes a handful of
 * "lines" of letters (qpdf's outlines-with-loop.pdf page 2, "Salad 1": lc 0.49, ratio 4.0).
 */
const TRUSTED_LINES = 15;
/**
 * ...and only with a ratio at least this far from 1 (this or above upright, its reciprocal or
 * below upside down): 4.4–4.8 and 0.21–0.22 on the real scans turned every way (150 dpi).
 */
const TRUSTED_RATIO = 3;
/**
 * ...and only when those lines run across at least this share of the page's width. One line of
 * text also looks sideways (its columns alternate between letters and gaps), and turned a quarter
 * its letters pass for 15+ "lines" with a lopsided ratio ("Second page mentions elephants" did),
 * all within a strip a line high; a page of text runs across most of its width.
 */
const TRUSTED_WIDTH = 0.3;
/** A column holds text when it has at least this share of the inkiest column's ink (specks do not count). */
const TEXT_COLUMN_SHARE = 0.05;

/**
 * How sharply the ink changes from one row (or column) to the next, against how much ink there
 * is: lines of text make the rows alternate between ink and gap, while each column crosses every
 * line and changes little.
 */
function contrast(profile: Float64Array): number {
  let change = 0;
  let ink = 0;
  for (let i = 1; i < profile.length; i++) {
    change += Math.abs(profile[i]! - profile[i - 1]!);
    ink += profile[i]!;
  }
  return ink === 0 ? 0 : change / ink;
}

/** Row contrast over column contrast (see `contrast`); Infinity on a page without ink. */
export function lineContrast(grey: GreyImage): number {
  const { rows, cols } = inkProfiles(shrinkGrey(grey, SIDEWAYS_WIDTH));
  const across = contrast(cols);
  return across === 0 ? Infinity : contrast(rows) / across;
}

/** Whether the page's lines run up or down the image: fed in a quarter turn off upright. */
export const liesSideways = (grey: GreyImage): boolean => lineContrast(grey) < SIDEWAYS_BELOW;

/** The ascender ratio of lines found on an image already LINES_WIDTH wide or less, and how many lines. */
function ascenderEvidence(copy: GreyImage): { ratio: number | null; lines: number } {
  const lines = inkLines(copy, LINES_WIDTH);
  if (lines.length < MIN_LINES) return { ratio: null, lines: lines.length };
  const sum = (pick: (l: InkLine) => number) => lines.reduce((total, l) => total + pick(l), 0);
  const above = sum((l) => l.above);
  const below = sum((l) => l.below);
  // Rules, grids and bars have next to no ink outside their cores: nothing to compare.
  if (above + below < MIN_OUTSIDE_SHARE * sum((l) => l.ink)) return { ratio: null, lines: lines.length };
  return { ratio: above / Math.max(below, 1), lines: lines.length };
}

/**
 * Over the page's lines of text, the ink above their cores over the ink below them; null with
 * too few lines to tell.
 */
export function ascenderRatio(grey: GreyImage): number | null {
  return ascenderEvidence(shrinkGrey(grey, LINES_WIDTH)).ratio;
}

/** Share of the columns of `copy` that hold text (see TEXT_COLUMN_SHARE). */
function textWidthShare(copy: GreyImage): number {
  const { cols } = inkProfiles(copy);
  let inkiest = 0;
  for (const ink of cols) inkiest = Math.max(inkiest, ink);
  if (inkiest === 0) return 0;
  let text = 0;
  for (const ink of cols) if (ink >= inkiest * TEXT_COLUMN_SHARE) text++;
  return text / cols.length;
}

/** The ascender ratio of `copy` (at most LINES_WIDTH wide; `evidence` its ascenderEvidence) when it alone may say which way is up, or null. */
function trustedRatio(copy: GreyImage, evidence = ascenderEvidence(copy)): number | null {
  const { ratio, lines } = evidence;
  if (ratio === null || lines < TRUSTED_LINES || (ratio < TRUSTED_RATIO && ratio > 1 / TRUSTED_RATIO)) return null;
  return textWidthShare(copy) >= TRUSTED_WIDTH ? ratio : null;
}

export interface InkOrientation {
  /** Fed in sideways or upside down: orientation is settled before the first reading. */
  turned: boolean;
  /**
   * The clockwise turn that makes a turned page upright, when its ink leaves no doubt and its
   * text is in the Latin script (whose ascenders the ratio counts); null: ask orientation detection.
   */
  turn: number | null;
}

/**
 * How a scan lies, by its ink alone. A sideways page is turned a quarter on a small copy, where
 * the ascender ratio tells a quarter clockwise (upright) from one anticlockwise (upside down).
 */
export function inkOrientation(grey: GreyImage, latinScript: boolean): InkOrientation {
  if (liesSideways(grey)) {
    if (!latinScript) return { turned: true, turn: null };
    // Reduced so that, turned, it is LINES_WIDTH wide.
    const copy = rotateGrey(shrinkGrey(grey, Math.round((LINES_WIDTH * grey.width) / Math.max(grey.height, 1))), 90);
    const ratio = trustedRatio(copy);
    return { turned: true, turn: ratio === null ? null : ratio > 1 ? 90 : 270 };
  }
  const copy = shrinkGrey(grey, LINES_WIDTH);
  const evidence = ascenderEvidence(copy);
  if (evidence.ratio === null || evidence.ratio >= UPSIDE_DOWN_BELOW) return { turned: false, turn: null };
  return { turned: true, turn: latinScript && trustedRatio(copy, evidence) !== null ? 180 : null };
}
