import type { Block } from '../../../src/schemas/page-result.js';
import { sortedMedian } from '../text-geometry.js';
import { rowSegments, textRows, type TextRow } from './text-rows.js';

/**
 * Cheap signs, from the words alone, that a page may hold a table: reading a born-digital page's
 * drawing (its operator list) costs about as much as reading its text, so it is read only where
 * these say so.
 */

/** Median line height of the page's blocks, in pixels (0 without lines). */
export function typeSizeOf(blocks: Block[]): number {
  const heights = blocks.flatMap((b) => b.lines.map((l) => l.bbox[3] - l.bbox[1])).filter((x) => x > 0);
  return sortedMedian(heights.sort((a, b) => a - b));
}

/**
 * A table-like row: split by gaps of a type size or more into parts none wider than this share of
 * the row. The rows of a two-column page (two halves) and prose beside a code listing (one wide
 * part) are not; a row of cells is.
 */
const WIDEST_PART = 0.4;
const MIN_TABLE_LIKE_ROWS = 3;

/** A wide row label with figures in the other parts ("Reduces community support … 23% 24%"). */
function figuresBeside(row: TextRow, segs: Array<[number, number]>, widest: number): boolean {
  if (segs.length < 3) return false;
  return segs.every(([a, b], i) => {
    if (i === widest) return true;
    const words = row.words.filter((w) => w.bbox[0] >= a && w.bbox[2] <= b);
    return words.length <= 2 && words.some((w) => /\d/.test(w.text));
  });
}

export function mayHoldTable(blocks: Block[], typeSize: number): boolean {
  if (typeSize <= 0) return false;
  const words = blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
  let tableLike = 0;
  for (const row of textRows(words)) {
    const segs = rowSegments(row, typeSize);
    if (segs.length < 2) continue;
    const widths = segs.map(([a, b]) => b - a);
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! > WIDEST_PART * (row.x2 - row.x1) && !figuresBeside(row, segs, widest)) continue;
    if (++tableLike >= MIN_TABLE_LIKE_ROWS) return true;
  }
  return false;
}
