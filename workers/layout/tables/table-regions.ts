import type { BBox, Word } from '../../../src/schemas/page-result.js';
import type { HLine, RuledFrame } from './ruling-lines.js';
import { rowSegments, textRows, type TextRow } from './text-rows.js';

/**
 * Where a page's tables may be: frames of rules that meet, stacks of horizontal rules of one
 * width (a table ruled only above, under its header and below), and runs of text rows split by
 * wide gaps. Each region is only a candidate: its grid is checked before it becomes a table.
 */

export interface Region {
  bbox: BBox;
  from: 'frame' | 'rules' | 'text';
  /** How many horizontal and vertical rules drew it (0 for text). */
  h: number;
  v: number;
}

const width = (b: BBox) => b[2] - b[0];
const height = (b: BBox) => b[3] - b[1];

/** Frames big enough to hold a table: rules that meet, or at least two column rules. */
export function frameRegions(frames: RuledFrame[], typeSize: number): Region[] {
  const out: Region[] = [];
  for (const f of frames) {
    const big = width(f.bbox) >= 4 * typeSize && height(f.bbox) >= 1.5 * typeSize;
    if (big && f.v.length >= 1 && f.h.length >= 1) out.push({ bbox: f.bbox, from: 'frame', h: f.h.length, v: f.v.length });
    else if (big && f.v.length >= 2 && f.h.length === 0) out.push({ bbox: f.bbox, from: 'frame', h: f.h.length, v: f.v.length });
  }
  return out;
}

/**
 * Horizontal rules standing alone (meeting no vertical one), stacked: consecutive rules of about
 * the same extent, at most `maxGap` apart, bound a table between the first and the last.
 */
export function ruleStackRegions(lone: HLine[], typeSize: number): Region[] {
  const long = lone.filter((l) => l.x2 - l.x1 >= 8 * typeSize).sort((a, b) => a.y - b.y);
  const maxGap = 40 * typeSize;
  const out: Region[] = [];
  let stack: HLine[] = [];
  const flush = () => {
    if (stack.length >= 2) {
      const x1 = Math.min(...stack.map((l) => l.x1));
      const x2 = Math.max(...stack.map((l) => l.x2));
      out.push({ bbox: [x1, stack[0]!.y, x2, stack.at(-1)!.y], from: 'rules', h: stack.length, v: 0 });
    }
    stack = [];
  };
  for (const line of long) {
    const prev = stack.at(-1);
    if (prev) {
      const overlap = Math.min(prev.x2, line.x2) - Math.max(prev.x1, line.x1);
      const shorter = Math.min(prev.x2 - prev.x1, line.x2 - line.x1);
      if (overlap < 0.7 * shorter || line.y - prev.y > maxGap) flush();
    }
    stack.push(line);
  }
  flush();
  return out;
}

const rowBox = (rows: TextRow[]): BBox => [
  Math.min(...rows.map((r) => r.x1)), rows[0]!.y1, Math.max(...rows.map((r) => r.x2)), rows.at(-1)!.y2,
];

/**
 * Runs of at least three rows, each split into two or more parts by gaps of a type size or more,
 * close together: where an unruled table may be. The grid then decides (columns must line up).
 */
export function textRegions(words: Word[], typeSize: number): Region[] {
  const out: Region[] = [];
  let run: TextRow[] = [];
  const flush = () => {
    if (run.length >= 3) out.push({ bbox: rowBox(run), from: 'text', h: 0, v: 0 });
    run = [];
  };
  for (const row of textRows(words)) {
    const prev = run.at(-1);
    if (prev && row.y1 - prev.y2 > 2 * typeSize) flush();
    if (rowSegments(row, typeSize).length >= 2) run.push(row);
    else flush();
  }
  flush();
  return out;
}

export const inside = (w: Word, b: BBox, slack = 0) => {
  const x = (w.bbox[0] + w.bbox[2]) / 2;
  const y = (w.bbox[1] + w.bbox[3]) / 2;
  return x >= b[0] - slack && x <= b[2] + slack && y >= b[1] - slack && y <= b[3] + slack;
};

export const overlaps = (a: BBox, b: BBox) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
