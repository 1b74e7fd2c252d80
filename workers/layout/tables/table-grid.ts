import type { BBox, Word } from '../../../src/schemas/page-result.js';
import { clusterPositions, type HLine, type VLine } from './ruling-lines.js';
import { gutters, textRows, type TextRow } from './text-rows.js';
import { continuationRows } from './row-merging.js';

/**
 * A table region's grid: column boundaries from its vertical rules (or, without any, from the
 * gutters of its words), row boundaries from its horizontal rules when they part most rows (a
 * lattice) or else from its text rows; cells spanning where a rule is missing or a word crosses
 * a boundary.
 */

export interface GridCell { row: number; col: number; row_span: number; col_span: number }
export interface Grid {
  /** Column boundaries, left to right: cols + 1 values. */
  xs: number[];
  /** Row boundaries, top to bottom: rows + 1 values. */
  ys: number[];
  cells: GridCell[];
  ruling: 'lines' | 'text' | 'mixed';
  /** Whether the columns come from vertical rules or from the words' gutters. */
  columnsFrom: 'lines' | 'text';
}

/** A grid larger than this is hostile or not a table: left as text. */
export const MAX_GRID_CELLS = 20_000;

export interface GridInput {
  bbox: BBox;
  words: Word[];
  h: HLine[];
  v: VLine[];
  typeSize: number;
  tol: number;
}

/** Fewer rows than this may cross a gutter (a header over two columns) without closing it. */
const gutterCrossings = (rows: number) => (rows >= 5 ? Math.floor(rows * 0.15) : 0);

function columnBoundaries(input: GridInput, rows: TextRow[]): { inner: number[]; fromLines: boolean } {
  const { bbox, v, tol, typeSize } = input;
  const inner = clusterPositions(
    v.filter((l) => l.x > bbox[0] + tol && l.x < bbox[2] - tol && l.y2 - l.y1 >= 0.8 * typeSize).map((l) => l.x),
    tol,
  );
  const textGutters = (x1: number, x2: number) => gutters(rows, x1, x2, 0.5 * typeSize, gutterCrossings(rows.length));
  if (inner.length === 0) return { inner: textGutters(bbox[0], bbox[2]), fromLines: false };
  // Rules may part only some columns (one rule after the row labels): gutters part the rest.
  const bounds = [bbox[0], ...inner, bbox[2]];
  const all: number[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    if (i > 0) all.push(bounds[i]!);
    all.push(...textGutters(bounds[i]! + tol, bounds[i + 1]! - tol));
  }
  return { inner: all, fromLines: true };
}

function rowBoundaries(input: GridInput, rows: TextRow[], xs: number[]): { inner: number[]; fromLines: boolean } {
  const { bbox, h, v, tol } = input;
  const inner = clusterPositions(h.filter((l) => l.y > bbox[1] + tol && l.y < bbox[3] - tol).map((l) => l.y), tol);
  // Rules between most rows (and columns ruled too): each band between rules is one row, whatever its lines.
  if (v.length >= 2 && inner.length > 0 && inner.length >= 0.6 * (rows.length - 1)) return { inner, fromLines: true };
  const merged = continuationRows(rows, inner, xs);
  const between: number[] = [];
  for (let i = 1; i < merged.length; i++) between.push((merged[i - 1]!.y2 + merged[i]!.y1) / 2);
  return { inner: between, fromLines: false };
}

export function buildGrid(input: GridInput): Grid | null {
  const { bbox, words, h, v, tol } = input;
  const rows = textRows(words);
  if (rows.length === 0) return null;
  const cols = columnBoundaries(input, rows);
  const xs = [bbox[0], ...cols.inner, bbox[2]];
  const rowBounds = rowBoundaries(input, rows, xs);
  const ys = [bbox[1], ...rowBounds.inner, bbox[3]];
  const nc = xs.length - 1;
  const nr = ys.length - 1;
  if (nc * nr > MAX_GRID_CELLS) return null;

  // Separators: is there a rule (or, for text columns, no crossing word) between neighbours?
  const vLinesAt = (x: number) => v.filter((l) => Math.abs(l.x - x) <= tol);
  const hLinesAt = (y: number) => h.filter((l) => Math.abs(l.y - y) <= tol);
  const crossing = new Set<string>();
  {
    for (const w of words) {
      const r = Math.min(nr - 1, Math.max(0, ys.findIndex((y, i) => i > 0 && (w.bbox[1] + w.bbox[3]) / 2 <= y) - 1));
      for (let c = 1; c < nc; c++) if (w.bbox[0] < xs[c]! - 1 && w.bbox[2] > xs[c]! + 1) crossing.add(`${r}:${c}`);
    }
  }
  const hCache = ys.map(hLinesAt);
  // A column rule that runs most of the table's height and skips a row makes a spanning cell there
  // (a lattice). Where rules run only a short way (a table ruled only in its header) or not at all,
  // the words decide: a cell spans the boundary only when a word crosses it.
  const vCache = xs.map(vLinesAt);
  const mostlyRuled = vCache.map((ls) => ls.reduce((n, l) => n + Math.min(l.y2, ys[nr]!) - Math.max(l.y1, ys[0]!), 0) >= 0.5 * (ys[nr]! - ys[0]!));
  const sepV = (r: number, c: number) => {
    const mid = (ys[r]! + ys[r + 1]!) / 2;
    if (vCache[c]!.some((l) => l.y1 - tol <= mid && l.y2 + tol >= mid)) return true;
    return mostlyRuled[c] ? false : !crossing.has(`${r}:${c}`);
  };
  const sepH = (r: number, c: number) => {
    if (!rowBounds.fromLines) return true;
    const mid = (xs[c]! + xs[c + 1]!) / 2;
    return hCache[r]!.some((l) => l.x1 - tol <= mid && l.x2 + tol >= mid);
  };

  const taken = new Uint8Array(nr * nc);
  const cells: GridCell[] = [];
  for (let r = 0; r < nr; r++) {
    for (let c = 0; c < nc; c++) {
      if (taken[r * nc + c]) continue;
      let cs = 1;
      while (c + cs < nc && !taken[r * nc + c + cs] && !sepV(r, c + cs)) cs++;
      let rs = 1;
      const rowFree = (rr: number) => {
        for (let k = c; k < c + cs; k++) if (taken[rr * nc + k] || sepH(rr, k)) return false;
        return true;
      };
      while (r + rs < nr && rowFree(r + rs)) rs++;
      for (let rr = r; rr < r + rs; rr++) for (let k = c; k < c + cs; k++) taken[rr * nc + k] = 1;
      cells.push({ row: r, col: c, row_span: rs, col_span: cs });
    }
  }
  const ruling = cols.fromLines && rowBounds.fromLines ? 'lines' : cols.fromLines || h.length > 0 ? 'mixed' : 'text';
  return { xs, ys, cells, ruling, columnsFrom: cols.fromLines ? 'lines' : 'text' };
}
