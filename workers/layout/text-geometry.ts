import type { BBox, Block, Line, PageSource, Word } from '../../src/schemas/page-result.js';

/**
 * Type size from word boxes. A text layer's boxes are em boxes (font size × a constant), so their
 * height is the type size. An OCR word box hugs the ink: "was" is only x-height tall, "Type" spans
 * ascender to descender. Scaling each word by the glyph classes it contains gives comparable sizes
 * without font metrics (ratios of a typical Latin face: x-height ≈ ½, ascender or descender
 * alone ≈ ¾ of the full ascender-to-descender height).
 */
const ASCENDING = /[\p{Lu}\p{N}bdfhiklt'"!?&@#$%]/u;
const DESCENDING = /[gjpqyQ,;]/;
const BRACKETS = /[()[\]{}|/]/;

const height = (b: BBox) => b[3] - b[1];

export function median(xs: number[]): number {
  return sortedMedian([...xs].sort((a, b) => a - b));
}

/** The median of numbers already in ascending order (0 for none). */
export function sortedMedian(s: number[]): number {
  if (s.length === 0) return 0;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Where `x` goes in ascending `s` to keep it in order (after any equal values). */
export function sortedIndex(s: number[], x: number): number {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The value below which half the total weight lies. */
export function weightedMedian(items: Array<{ value: number; weight: number }>): number {
  const s = items.filter((i) => i.weight > 0).sort((a, b) => a.value - b.value);
  const total = s.reduce((n, i) => n + i.weight, 0);
  let seen = 0;
  for (const i of s) {
    seen += i.weight;
    if (seen >= total / 2) return i.value;
  }
  return 0;
}

function ocrWordSize(w: Word): number | null {
  if (!/[\p{L}\p{N}]/u.test(w.text)) return null;
  const h = height(w.bbox);
  if (BRACKETS.test(w.text)) return h;
  const up = ASCENDING.test(w.text);
  const down = DESCENDING.test(w.text);
  if (up && down) return h;
  if (up || down) return h * 1.3;
  return h * 1.9;
}

/** A line's type size in pixels, comparable between lines of the same page. */
export function lineSize(line: Line, source: PageSource): number {
  if (source === 'text-layer' || line.words.length === 0) return height(line.bbox);
  const sizes = line.words.map(ocrWordSize).filter((s): s is number => s !== null);
  return sizes.length ? median(sizes) : height(line.bbox);
}

/** Horizontal overlap of two boxes, as a share of the narrower one. */
export function xOverlap(a: BBox, b: BBox): number {
  const inter = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  return inter / Math.max(1, Math.min(a[2] - a[0], b[2] - b[0]));
}

/**
 * Lines set sideways (an engine that read a page turned 90° may report boxes in the turned
 * frame: lines taller than wide) are turned back, so that "above", "wider" and "larger" mean
 * what they mean on an upright page. Boxes only; the text is already in reading order.
 */
export function uprightBlocks(blocks: Block[]): Block[] {
  const lines = blocks.flatMap((b) => b.lines).filter((l) => l.text.trim().length >= 4);
  const sideways = lines.filter((l) => height(l.bbox) > 2 * (l.bbox[2] - l.bbox[0])).length;
  if (lines.length === 0 || sideways < 0.6 * lines.length) return blocks;
  // Which way: successive lines of a block step right-to-left (turned clockwise) or left-to-right.
  let step = 0;
  for (const b of blocks) b.lines.slice(1).forEach((l, i) => { step += l.bbox[0] - b.lines[i]!.bbox[0]; });
  const maxX = Math.max(...blocks.map((b) => b.bbox[2]));
  const maxY = Math.max(...blocks.map((b) => b.bbox[3]));
  const turn = (b: BBox): BBox => (step <= 0
    ? [b[1], maxX - b[2], b[3], maxX - b[0]]
    : [maxY - b[3], b[0], maxY - b[1], b[2]]);
  return blocks.map((b) => ({
    ...b,
    bbox: turn(b.bbox),
    lines: b.lines.map((l) => ({ ...l, bbox: turn(l.bbox), words: l.words.map((w) => ({ ...w, bbox: turn(w.bbox) })) })),
  }));
}
