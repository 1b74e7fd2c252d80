import { shrinkGrey, type GreyImage } from './grey-image.js';
import { inkLines, inkProfiles, type InkLine } from './ink-lines.js';

/*
 * Signs, taken in milliseconds from the page's ink, that a scan is not upright: then orientation
 * detection runs before the first reading rather than after a wasted one (a full reading saved,
 * ~2.5 s on a 300-dpi page). Only clear cases count; any other page is read first and, when the
 * reading is unsure, turned after, as before. A false sign costs one orientation detection, which
 * finds the page upright. Thresholds measured on the real scans of the bench
 * (bench/real-documents.ts) and on the generated page of test/workers/page-orientation.test.ts.
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

/**
 * Over the page's lines of text, the ink above their cores over the ink below them; null with
 * too few lines to tell.
 */
export function ascenderRatio(grey: GreyImage): number | null {
  const lines = inkLines(grey, LINES_WIDTH);
  if (lines.length < MIN_LINES) return null;
  const sum = (pick: (l: InkLine) => number) => lines.reduce((total, l) => total + pick(l), 0);
  const above = sum((l) => l.above);
  const below = sum((l) => l.below);
  // Rules, grids and bars have next to no ink outside their cores: nothing to compare.
  if (above + below < MIN_OUTSIDE_SHARE * sum((l) => l.ink)) return null;
  return above / Math.max(below, 1);
}

/** A scan fed in sideways or upside down, by its ink alone. */
export function looksTurned(grey: GreyImage): boolean {
  if (lineContrast(grey) < SIDEWAYS_BELOW) return true;
  const ratio = ascenderRatio(grey);
  return ratio !== null && ratio < UPSIDE_DOWN_BELOW;
}
