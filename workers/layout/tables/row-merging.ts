import type { Word } from '../../../src/schemas/page-result.js';
import { median, sortedIndex } from '../text-geometry.js';
import { NUMERIC } from './table-types.js';
import type { TextRow } from './text-rows.js';

/**
 * Text rows that continue the row above (a cell's text wrapped onto a second line) joined to it,
 * so that a wrapped cell is one cell. Unruled rows come from text lines, and a line continues the
 * row above only when all of these hold (each checked on ICDAR 2013, see docs/tables.md):
 *
 * - no horizontal rule between it and the line above, and a gap between them under half a line
 *   (a section heading has more space before it);
 * - its first (key) column is empty: a new record starts with its key;
 * - it has words only in columns where the line above has words, and in fewer columns (the key
 *   aside) than its row's first line: a line with an empty first cell that fills every column
 *   its row fills is a grouped row (the key given once for several rows), not a wrap. In a
 *   header over a stub left empty (the lines above the first figure), stacked header words
 *   ("Asian/" over "Pacific") may fill as many columns as the line they continue;
 * - no cell of it is a figure (a subtotal's or a grouped row's values are figures);
 * - in each of its columns its first word would not have fitted at the end of the line above
 *   (the column as wide as its widest line): text wraps only when the next word does not fit.
 *
 * One pass over the lines and their words (and a sort of word heights for the line height).
 */

/** A gap between lines above this share of the line height makes a new row. */
const MAX_GAP = 0.5;
/** A space's width against the line height (a word box's height is about its type's em). */
const SPACE = 0.2;

/** A text line with its words by column. */
interface Line { row: TextRow; cells: Map<number, Word[]> }

const cellText = (ws: Word[]) => ws.map((w) => w.text).join(' ');

/**
 * `rows`: the table's text rows, top to bottom; `rules`: the y of its horizontal rules; `xs`: its
 * column boundaries, left to right (cols + 1 values). Returns the rows with continuations joined.
 */
export function continuationRows(rows: TextRow[], rules: number[], xs: number[]): TextRow[] {
  const nc = xs.length - 1;
  if (rows.length < 2 || nc < 2) return rows;
  const column = (w: Word) => Math.min(nc - 1, Math.max(0, sortedIndex(xs, (w.bbox[0] + w.bbox[2]) / 2) - 1));
  // How far each column's text runs on its widest line: where a line of it wraps.
  const right = new Array<number>(nc).fill(-Infinity);
  const lines: Line[] = rows.map((row) => {
    const cells = new Map<number, Word[]>();
    for (const w of row.words) {
      const c = column(w);
      const ws = cells.get(c);
      if (ws) ws.push(w);
      else cells.set(c, [w]);
      right[c] = Math.max(right[c]!, w.bbox[2]);
    }
    return { row, cells };
  });
  const lineHeight = median(rows.flatMap((r) => r.words.map((w) => w.bbox[3] - w.bbox[1])));
  const sortedRules = [...rules].sort((a, b) => a - b);
  const ruleBetween = (a: TextRow, b: TextRow) => {
    const i = sortedIndex(sortedRules, (a.y1 + a.y2) / 2);
    return i < sortedRules.length && sortedRules[i]! < (b.y1 + b.y2) / 2;
  };
  const firstFigures = lines.findIndex((l) => [...l.cells.values()].some((ws) => NUMERIC.test(cellText(ws))));

  const continues = (head: Line, above: Line, line: Line, i: number): boolean => {
    if (line.cells.has(0) || ruleBetween(above.row, line.row)) return false;
    if (line.row.y1 - above.row.y2 > MAX_GAP * lineHeight) return false;
    const headCols = head.cells.size - (head.cells.has(0) ? 1 : 0);
    const stackedHeader = i < firstFigures && !head.cells.has(0);
    if (line.cells.size > headCols || (line.cells.size === headCols && !stackedHeader)) return false;
    for (const [c, ws] of line.cells) {
      const prev = above.cells.get(c);
      if (!prev || NUMERIC.test(cellText(ws))) return false;
      const first = ws[0]!;
      if (prev.at(-1)!.bbox[2] + SPACE * lineHeight + (first.bbox[2] - first.bbox[0]) <= right[c]!) return false;
    }
    return true;
  };

  const out: TextRow[] = [];
  let head = lines[0]!;
  let above = head;
  let current: TextRow = { ...head.row, words: [...head.row.words] };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (continues(head, above, line, i)) {
      current.words.push(...line.row.words);
      current.y1 = Math.min(current.y1, line.row.y1);
      current.y2 = Math.max(current.y2, line.row.y2);
      current.x1 = Math.min(current.x1, line.row.x1);
      current.x2 = Math.max(current.x2, line.row.x2);
    } else {
      out.push(current);
      head = line;
      current = { ...line.row, words: [...line.row.words] };
    }
    above = line;
  }
  out.push(current);
  return out;
}
