import type { BBox, TableCell, TableStructure, Word } from '../../../src/schemas/page-result.js';
import { sortedIndex } from '../text-geometry.js';
import type { Grid } from './table-grid.js';
import { NUMERIC } from './table-types.js';
import { textRows } from './text-rows.js';

/**
 * A grid and the words in it become a TableStructure: each word goes to the cell its middle
 * falls in, a cell's text is its words in reading order, and the header is the leading rows that
 * hold no figures.
 */

/** Index of the band of `bounds` (ascending, n + 1 values) holding `x`, clamped to 0..n-1. */
function band(bounds: number[], x: number): number {
  return Math.min(bounds.length - 2, Math.max(0, sortedIndex(bounds, x) - 1));
}

function cellText(words: Word[]): string {
  return textRows(words).map((r) => r.words.map((w) => w.text).join(' ')).join(' ');
}

/** Leading rows with no figures in them, when figures follow (at most three, never every row). */
function headerRows(cells: TableCell[], rows: number): number {
  const numericRow = new Array<boolean>(rows).fill(false);
  for (const c of cells) if (c.text && NUMERIC.test(c.text.trim())) numericRow[c.row] = true;
  const first = numericRow.indexOf(true);
  if (first <= 0) return 0;
  return Math.min(first, 3, rows - 1);
}

export function tableStructure(grid: Grid, words: Word[]): TableStructure {
  const { xs, ys } = grid;
  const cols = xs.length - 1;
  const rows = ys.length - 1;
  const owner = new Int32Array(rows * cols).fill(-1);
  grid.cells.forEach((c, i) => {
    for (let r = c.row; r < c.row + c.row_span; r++) for (let k = c.col; k < c.col + c.col_span; k++) owner[r * cols + k] = i;
  });
  const cellWords: Word[][] = grid.cells.map(() => []);
  for (const w of words) {
    const r = band(ys, (w.bbox[1] + w.bbox[3]) / 2);
    const k = band(xs, (w.bbox[0] + w.bbox[2]) / 2);
    const i = owner[r * cols + k]!;
    if (i >= 0) cellWords[i]!.push(w);
  }
  const cells: TableCell[] = grid.cells.map((c, i) => {
    const bbox: BBox = [xs[c.col]!, ys[c.row]!, xs[c.col + c.col_span]!, ys[c.row + c.row_span]!].map(Math.round) as BBox;
    return { ...c, text: cellText(cellWords[i]!), bbox };
  });
  return { rows, cols, header_rows: headerRows(cells, rows), ruling: grid.ruling, cells };
}
