import type { BBox, Block, Line, PageSource } from '../../src/schemas/page-result.js';
import { lineSize, median, sortedIndex, sortedMedian, uprightBlocks, weightedMedian, xOverlap } from './text-geometry.js';
import { listMarker } from './line-text.js';

/**
 * Which lines of a page are headings, from word boxes alone (no font names: OCR has none). A
 * heading is a short, title-like line set clearly larger than the body text and than the text it
 * heads, or one that stands alone just above a block with more room above it than below (the
 * usual bold section title in body size). Its level comes from its size relative to the body.
 */

/** Lines of one block that are set in one size: the unit headings and paragraphs are made of. */
export interface Unit {
  lines: Line[];
  sizes: number[];
  size: number;
  box: BBox;
  category: Block['category'];
  /** Index of the block it comes from. */
  block: number;
}

const TITLE_RATIO = 1.6;
const SIZE_HEADING_RATIO = 1.12;
const OVER_NEXT_RATIO = 1.12;

const boxOf = (lines: Line[]): BBox => [
  Math.min(...lines.map((l) => l.bbox[0])), Math.min(...lines.map((l) => l.bbox[1])),
  Math.max(...lines.map((l) => l.bbox[2])), Math.max(...lines.map((l) => l.bbox[3])),
];
const width = (b: BBox) => b[2] - b[0];
const textOf = (u: Unit) => u.lines.map((l) => l.text.trim()).join(' ');
/** Left edge of a unit's body lines (a first-line indent does not count). */
export const bodyLeft = (u: Unit) => Math.min(...(u.lines.length > 1 ? u.lines.slice(1) : u.lines).map((l) => l.bbox[0]));

/** Splits blocks where the type size jumps (a logo above an address, a title fused with a line). */
function toUnits(blocks: Block[], source: PageSource): Unit[] {
  const units: Unit[] = [];
  blocks.forEach((block, index) => {
    const lines = block.lines.filter((l) => l.text.trim() !== '');
    let current: Line[] = [];
    let sizes: number[] = [];
    // The same sizes kept in order, so that the median before each line is read, not sorted again;
    // a NaN (a degenerate box) has no place in an order, and then they are sorted each time.
    let sorted: number[] = [];
    let unordered = false;
    const sizeSoFar = () => (unordered ? median(sizes) : sortedMedian(sorted));
    const flush = () => {
      if (current.length) {
        const unit = { lines: current, sizes, size: sizeSoFar(), box: boxOf(current), category: block.category };
        units.push({ ...unit, block: index });
      }
      current = [];
      sizes = [];
      sorted = [];
      unordered = false;
    };
    for (const line of lines) {
      const size = lineSize(line, source);
      const ref = sizeSoFar();
      if (current.length && (size > ref * 1.3 || size < ref / 1.3)) flush();
      current.push(line);
      sizes.push(size);
      sorted.splice(sortedIndex(sorted, size), 0, size);
      unordered ||= Number.isNaN(size);
    }
    flush();
  });
  return units.flatMap((u) => splitFusedTitle(u, source));
}

/**
 * A heading the engine fused with the paragraph under it: a first line set larger than the rest,
 * or a short title-like first line over full lines (a paragraph's first line is never short).
 * Whether it really is a heading is decided later, like for any other unit.
 */
function splitFusedTitle(u: Unit, source: PageSource): Unit[] {
  if (u.lines.length < 2) return [u];
  const part = (lines: Line[], sizes: number[]): Unit => ({ ...u, lines, sizes, size: median(sizes), box: boxOf(lines) });
  const head = part(u.lines.slice(0, 1), u.sizes.slice(0, 1));
  const rest = part(u.lines.slice(1), u.sizes.slice(1));
  const larger = head.size >= OVER_NEXT_RATIO * rest.size && u.lines[0]!.words.length <= 10;
  const short = rest.lines.length >= 2 && width(head.box) < 0.6 * width(rest.box) && looksLikeTitle(head, source)
    && u.lines[0]!.words.length <= 8;
  return larger || short ? [head, rest] : [u];
}

/**
 * Engines order blocks column by column, but may put a section title that sits under a two-column
 * part, above full-width text, between the columns. Such a title is moved to just before the
 * block it heads.
 */
function keepTitlesWithTheirBlock(units: Unit[], source: PageSource): Unit[] {
  if (units.length < 3) return units;
  const left = Math.min(...units.map((u) => u.box[0]));
  const textWidth = Math.max(...units.map((u) => u.box[2])) - left;
  const spanning = units.filter((u) => width(u.box) >= 0.6 * textWidth);
  if (spanning.length === 0) return units;
  const out = [...units];
  for (const u of units) {
    // Only a title-like line: a column's last lines sit above full-width text too, and stay put.
    if (u.lines.length > 1 || width(u.box) > 0.5 * textWidth || !looksLikeTitle(u, source)) continue;
    const lineHeight = u.box[3] - u.box[1];
    const isBelow = (b: Unit) => b !== u && xOverlap(u.box, b.box) > 0.5 && b.box[1] >= u.box[3] - 0.2 * lineHeight;
    let target: Unit | undefined;
    for (const b of spanning) if (isBelow(b) && (!target || b.box[1] < target.box[1])) target = b;
    if (!target || target.box[1] - u.box[3] > 2 * lineHeight) continue;
    // It heads the full-width block only if nothing else lies between them.
    if (out.some((b) => b !== target && isBelow(b) && b.box[1] < target!.box[1])) continue;
    const from = out.indexOf(u);
    if (out.indexOf(target) === from + 1) continue;
    out.splice(from, 1);
    out.splice(out.indexOf(target), 0, u);
  }
  return out;
}

function looksLikeTitle(u: Unit, source: PageSource): boolean {
  // Before the text is built: a paragraph of many lines is never a title.
  if (u.lines.length > 3) return false;
  const text = textOf(u);
  if (text.length > 120 || text.split(/\s+/).length > 14) return false;
  if (/[.,;:!]$/.test(text) || !/^[\p{Lu}\p{N}]/u.test(text)) return false;
  // "2. Overview" may be a numbered section title, but only where its size says so (see isHeading).
  const marker = listMarker(text);
  if (marker && !marker.ordinal) return false;
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  if (letters < 2 || letters < 0.5 * text.replace(/\s/g, '').length) return false;
  // A logo or a smudge read as letters: too uncertain to become a heading.
  const conf = u.lines.flatMap((l) => l.words.map((w) => w.confidence));
  return source === 'text-layer' || conf.length === 0 || median(conf) >= 60;
}

/** Vertical gap from the nearest unit above `u` in the same column (Infinity when none). */
function gapAbove(units: Unit[], u: Unit): number {
  const above = units.filter((o) => o !== u && xOverlap(o.box, u.box) > 0.3 && o.box[3] <= u.box[1] + 2);
  return above.length ? u.box[1] - Math.max(...above.map((o) => o.box[3])) : Infinity;
}

function isHeading(units: Unit[], i: number, body: number, source: PageSource): boolean {
  const u = units[i]!;
  if (u.category === 'Page-header' || u.category === 'Page-footer' || u.category === 'Table') return false;
  if (!looksLikeTitle(u, source)) return false;
  const inText = (n: Unit) => n.category !== 'Page-header' && n.category !== 'Page-footer';
  const after = (from: number) => {
    for (let j = from; j < units.length; j++) if (inText(units[j]!)) return units[j];
    return undefined;
  };
  const next = after(i + 1);
  // Compared with the text it heads: past the rest of a title set on several lines.
  let k = i + 1;
  while (units[k] && sameHeading(units[k - 1]!, units[k]!)) k++;
  const headed = after(k);
  if (u.size >= SIZE_HEADING_RATIO * body && (!headed || u.size >= OVER_NEXT_RATIO * headed.size)) return true;
  // Standing alone: one short line right above a wider block, with more room above than below.
  if (!next || u.lines.length !== 1 || u.size < 0.9 * body) return false;
  if (listMarker(textOf(u)) || textOf(u).split(/\s+/).length > 8) return false;
  const lineHeight = u.box[3] - u.box[1];
  const below = next.box[1] - u.box[3];
  if (below < -0.2 * lineHeight || below > 1.2 * lineHeight || xOverlap(u.box, next.box) < 0.5) return false;
  if (width(u.box) > 0.8 * width(next.box) || Math.abs(u.box[0] - next.box[0]) > 2 * lineHeight) return false;
  return gapAbove(units, u) >= below + 0.3 * body;
}

/**
 * Heading level from the size relative to the body text, not from a rank among the page's
 * headings: pages are read one by one, and "3.2" must be ### on a page where no "3." appears too.
 */
export function headingLevel(size: number, body: number): 1 | 2 | 3 {
  if (size >= TITLE_RATIO * body) return 1;
  return size >= SIZE_HEADING_RATIO * body ? 2 : 3;
}

/** Two units that are one heading set on two lines (read by the engine as two blocks). */
export function sameHeading(a: Unit, b: Unit): boolean {
  const gap = b.box[1] - a.box[3];
  const similar = Math.abs(a.size - b.size) < 0.12 * a.size;
  return similar && gap >= -0.2 * a.size && gap < 0.8 * a.size && xOverlap(a.box, b.box) > 0;
}

export interface PageLayout {
  /** In reading order, headers and footers left out unless asked for. */
  units: Unit[];
  headings: Set<Unit>;
  /** The body text's size (the size most of the page's characters are set in). */
  body: number;
}

export function analysePage(page: { blocks: Block[]; source: PageSource }, withHeaderFooter = true): PageLayout {
  const all = toUnits(uprightBlocks(page.blocks), page.source);
  const body = weightedMedian(all.flatMap((u) => u.lines.map((l) => ({ value: u.size, weight: l.text.length })))) || 1;
  const kept = all.filter((u) => withHeaderFooter || (u.category !== 'Page-header' && u.category !== 'Page-footer'));
  const units = keepTitlesWithTheirBlock(kept, page.source);
  return { units, headings: new Set(units.filter((_, i) => isHeading(units, i, body, page.source))), body };
}

/** Blocks that are a heading as a whole, with their level (for the layout cells' categories). */
export function headingBlocks(page: { blocks: Block[]; source: PageSource }): Map<number, 1 | 2 | 3> {
  const { units, headings, body } = analysePage(page);
  const out = new Map<number, 1 | 2 | 3>();
  for (const u of headings) {
    if (units.some((o) => o.block === u.block && !headings.has(o))) continue;
    out.set(u.block, Math.min(out.get(u.block) ?? 3, headingLevel(u.size, body)) as 1 | 2 | 3);
  }
  return out;
}
