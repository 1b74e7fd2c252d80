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
 * A table-like row: split by gaps of a type size or more into parts that hold letters or figures,
 * none wider than WIDEST_PART of the row — or a label beside figures, or three parts or more whose
 * widest is the last (a description column). The rows of a two-column page (two halves) and
 * prose beside a numbered code listing (the first part widest) are not.
 */
const WIDEST_PART = 0.4;
/** Table-like rows, each within this many type sizes of the last, lined up (see aligned). */
const RUN_GAP_TYPE_SIZES = 2.5;
const MIN_RUN_ROWS = 3;

interface Parts { row: TextRow; segs: Array<[number, number]> }

function tableLike(row: TextRow, typeSize: number): Parts | null {
  const segs = rowSegments(row, typeSize).filter(([a, b]) =>
    row.words.some((w) => w.bbox[0] >= a && w.bbox[2] <= b && /[\p{L}\p{N}]/u.test(w.text)));
  if (segs.length < 2) return null;
  const widths = segs.map(([a, b]) => b - a);
  const widest = widths.indexOf(Math.max(...widths));
  if (widths[widest]! <= WIDEST_PART * (row.x2 - row.x1)) return { row, segs };
  if (figuresBeside(row, segs, widest) || (segs.length >= 3 && widest === segs.length - 1)) return { row, segs };
  return null;
}

/** A number as tables print them: 40, 2.20x, 29%, (1,234), $5, 3/4. */
const FIGURE = /^[(\-–+$€£]?\d[\d.,/:]*[)%x*]?$/;

/** A wide row label with figures in the other parts ("Reduces community support … 23% 24%"). */
function figuresBeside(row: TextRow, segs: Array<[number, number]>, widest: number): boolean {
  return segs.every(([a, b], i) => {
    if (i === widest) return true;
    const words = row.words.filter((w) => w.bbox[0] >= a && w.bbox[2] <= b);
    return words.length <= 2 && words.some((w) => FIGURE.test(w.text));
  });
}

/** At least two part edges (left or right) shared by MIN_RUN_ROWS rows of the run: columns. */
function aligned(run: Parts[], typeSize: number): boolean {
  const rowsAt = new Map<number, Set<number>>();
  run.forEach((p, i) => {
    for (const [a, b] of p.segs) {
      for (const edge of [Math.round(a / (typeSize / 2)) * 2, Math.round(b / (typeSize / 2)) * 2 + 1]) {
        const seen = rowsAt.get(edge) ?? new Set<number>();
        seen.add(i);
        rowsAt.set(edge, seen);
      }
    }
  });
  let columns = 0;
  for (const rows of rowsAt.values()) if (rows.size >= MIN_RUN_ROWS) columns++;
  return columns >= 2;
}

export function mayHoldTable(blocks: Block[], typeSize: number): boolean {
  if (typeSize <= 0) return false;
  const words = blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
  let run: Parts[] = [];
  for (const row of textRows(words)) {
    const parts = tableLike(row, typeSize);
    if (!parts) continue;
    const last = run.at(-1);
    if (last && row.y1 - last.row.y2 > RUN_GAP_TYPE_SIZES * typeSize) run = [];
    run.push(parts);
    if (run.length >= MIN_RUN_ROWS && aligned(run, typeSize)) return true;
  }
  return false;
}
