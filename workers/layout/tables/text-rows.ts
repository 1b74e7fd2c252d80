import type { BBox, Word } from '../../../src/schemas/page-result.js';

/**
 * Words as table rows and columns see them: rows are words whose boxes share a band of height
 * (whatever line or block the page's layout put them in), columns are separated by gutters, the
 * x-ranges no word (or almost none) covers.
 */

export interface TextRow { words: Word[]; y1: number; y2: number; x1: number; x2: number }

const cy = (b: BBox) => (b[1] + b[3]) / 2;

/** Words grouped in rows, top to bottom, each row's words left to right. */
export function textRows(words: Word[]): TextRow[] {
  // Sorted by middles computed once, not twice per comparison (every born-digital page's table
  // gate sorts all its words); the sort is stable, so the order is the same.
  const keyed = words.map((w) => ({ w, y: cy(w.bbox) }));
  keyed.sort((a, b) => a.y - b.y);
  const rows: TextRow[] = [];
  for (const { w } of keyed) {
    const row = rows.at(-1);
    const h = w.bbox[3] - w.bbox[1];
    // Joins the row when its middle falls inside the row's band (a superscript or a larger cell still does).
    if (row && cy(w.bbox) <= row.y2 - Math.min(0.25 * h, 0.25 * (row.y2 - row.y1))) {
      row.words.push(w);
      row.y1 = Math.min(row.y1, w.bbox[1]);
      row.y2 = Math.max(row.y2, w.bbox[3]);
      row.x1 = Math.min(row.x1, w.bbox[0]);
      row.x2 = Math.max(row.x2, w.bbox[2]);
    } else {
      rows.push({ words: [w], y1: w.bbox[1], y2: w.bbox[3], x1: w.bbox[0], x2: w.bbox[2] });
    }
  }
  for (const r of rows) r.words.sort((a, b) => a.bbox[0] - b.bbox[0]);
  return rows;
}

/** A row's words split where the gap between neighbours is at least `gap`: its cells, if it is a table row. */
export function rowSegments(row: TextRow, gap: number): Array<[number, number]> {
  const segs: Array<[number, number]> = [];
  for (const w of row.words) {
    const last = segs.at(-1);
    if (last && w.bbox[0] - last[1] < gap) last[1] = Math.max(last[1], w.bbox[2]);
    else segs.push([w.bbox[0], w.bbox[2]]);
  }
  return segs;
}

/**
 * The gutters of `rows` between x1 and x2: runs at least `minWidth` wide that at most `allowed`
 * rows cover (so a header cell spanning two columns does not close the gutter between them).
 * Returns the gutters' middles, ascending.
 */
export function gutters(rows: TextRow[], x1: number, x2: number, minWidth: number, allowed: number): number[] {
  const width = Math.ceil(x2 - x1) + 1;
  if (width <= 0 || width > 20_000) return [];
  const cover = new Int32Array(width + 1);
  for (const r of rows) {
    // Each row counts once per pixel, however many words it has there.
    for (const [a, b] of rowSegments(r, 0.01)) {
      if (b <= x1 || a >= x2) continue;
      const from = Math.max(0, Math.floor(a - x1));
      const to = Math.min(width, Math.ceil(b - x1));
      cover[from]! += 1;
      cover[to]! -= 1;
    }
  }
  const middles: number[] = [];
  let depth = 0;
  let start = -1;
  let seenInk = false;
  for (let i = 0; i < width; i++) {
    depth += cover[i]!;
    const free = depth <= allowed;
    if (free && start < 0 && seenInk) start = i;
    if (!free) {
      if (start >= 0 && i - start >= minWidth) middles.push(x1 + (start + i) / 2);
      start = -1;
      seenInk = true;
    }
  }
  return middles;
}
