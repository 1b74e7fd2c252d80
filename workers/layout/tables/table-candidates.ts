import type { Block } from '../../../src/schemas/page-result.js';
import { sortedMedian } from '../text-geometry.js';
import { rowSegments, textRows } from './text-rows.js';

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

/** Rows split by wide gaps into short parts: three or more parts, or two of at most three words each. */
const WIDE_GAP_TYPE_SIZES = 1;
const MIN_TABLE_LIKE_ROWS = 3;

export function mayHoldTable(blocks: Block[], typeSize: number): boolean {
  if (typeSize <= 0) return false;
  const words = blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
  let tableLike = 0;
  for (const row of textRows(words)) {
    const segs = rowSegments(row, WIDE_GAP_TYPE_SIZES * typeSize);
    if (segs.length < 2) continue;
    if (segs.length === 2) {
      // Two parts of a row in a two-column page are prose; two short parts may be cells.
      let short = 0;
      for (const [x1, x2] of segs) {
        const n = row.words.filter((w) => w.bbox[0] >= x1 && w.bbox[2] <= x2).length;
        if (n <= 3) short++;
      }
      if (short < 2) continue;
    }
    if (++tableLike >= MIN_TABLE_LIKE_ROWS) return true;
  }
  return false;
}
