import type { BBox, Block, Line, PageSource } from '../schemas/page-result.js';
import { lineSize, median, uprightBlocks, weightedMedian, xOverlap } from './text-geometry.js';
import { joinLines, listMarker } from './line-text.js';

/**
 * The structure of a page as a reader sees it — headings, paragraphs, list items — from what every
 * engine gives us: blocks in reading order, lines, and word boxes. Pure: page in, items out.
 *
 * - A heading is a short line set clearly larger than the text it heads, or one that stands alone
 *   just above a block with more space above it than below (the usual bold run-in section title).
 *   Its level comes from its size among the page's headings (# only when much larger than body).
 * - Lines of a block are one paragraph; a block that starts in lower case, hangs under a list
 *   item, or continues an indented-paragraph style without its own indent continues the one before.
 * - A line starting with a bullet (or what OCR makes of one) or a number starts a list item.
 */
export type StructureItem =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'list-item'; marker: string; text: string }
  | { kind: 'verbatim'; text: string };

export interface StructureInput { blocks: Block[]; source: PageSource }

/** Lines of one block that are set in one size: the unit headings and paragraphs are made of. */
interface Unit { lines: Line[]; sizes: number[]; size: number; box: BBox; category: Block['category'] }

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
const bodyLeft = (u: Unit) => Math.min(...(u.lines.length > 1 ? u.lines.slice(1) : u.lines).map((l) => l.bbox[0]));

/** Splits blocks where the type size jumps (a logo above an address, a title fused with a line). */
function toUnits(blocks: Block[], source: PageSource): Unit[] {
  const units: Unit[] = [];
  for (const block of blocks) {
    const lines = block.lines.filter((l) => l.text.trim() !== '');
    let current: Line[] = [];
    let sizes: number[] = [];
    const flush = () => {
      if (current.length) units.push({ lines: current, sizes, size: median(sizes), box: boxOf(current), category: block.category });
      current = [];
      sizes = [];
    };
    for (const line of lines) {
      const size = lineSize(line, source);
      const ref = median(sizes);
      if (current.length && (size > ref * 1.3 || size < ref / 1.3)) flush();
      current.push(line);
      sizes.push(size);
    }
    flush();
  }
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
function keepTitlesWithTheirBlock(units: Unit[]): Unit[] {
  if (units.length < 3) return units;
  const left = Math.min(...units.map((u) => u.box[0]));
  const textWidth = Math.max(...units.map((u) => u.box[2])) - left;
  const out = [...units];
  for (const u of units) {
    if (u.lines.length > 2 || width(u.box) > 0.5 * textWidth) continue;
    const lineHeight = (u.box[3] - u.box[1]) / u.lines.length;
    const below = out
      .filter((b) => b !== u && xOverlap(u.box, b.box) > 0.5 && b.box[1] >= u.box[3] - 0.2 * lineHeight)
      .sort((a, b) => a.box[1] - b.box[1])[0];
    if (!below || below.box[1] - u.box[3] > 2 * lineHeight || width(below.box) < 0.6 * textWidth) continue;
    const from = out.indexOf(u);
    if (out.indexOf(below) === from + 1) continue;
    out.splice(from, 1);
    out.splice(out.indexOf(below), 0, u);
  }
  return out;
}

function looksLikeTitle(u: Unit, source: PageSource): boolean {
  const text = textOf(u);
  const words = text.split(/\s+/);
  if (u.lines.length > 3 || words.length > 14 || text.length > 120) return false;
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
  const next = units.slice(i + 1).find(inText);
  // Compared with the text it heads: past the rest of a title set on several lines.
  let k = i + 1;
  while (units[k] && sameHeading(units[k - 1]!, units[k]!)) k++;
  const headed = units.slice(k).find(inText);
  if (u.size >= SIZE_HEADING_RATIO * body && (!headed || u.size >= OVER_NEXT_RATIO * headed.size)) return true;
  // Standing alone: one short line right above a wider block, with more room above than below.
  if (!next || listMarker(textOf(u)) || u.lines.length !== 1 || u.size < 0.9 * body || textOf(u).split(/\s+/).length > 8) return false;
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
function headingLevel(size: number, body: number): 1 | 2 | 3 {
  if (size >= TITLE_RATIO * body) return 1;
  return size >= SIZE_HEADING_RATIO * body ? 2 : 3;
}

export function pageStructure(page: StructureInput, withHeaderFooter = true): StructureItem[] {
  const all = toUnits(uprightBlocks(page.blocks), page.source);
  const body = weightedMedian(all.flatMap((u) => u.lines.map((l) => ({ value: u.size, weight: l.text.length })))) || 1;
  const units = keepTitlesWithTheirBlock(all.filter((u) => withHeaderFooter || (u.category !== 'Page-header' && u.category !== 'Page-footer')));
  const headings = new Set(units.filter((_, i) => isHeading(units, i, body, page.source)));
  const hyphenated = new Set(page.blocks.flatMap((b) => b.text.toLowerCase().match(/\p{L}+-\p{L}+/gu) ?? []));

  const items: StructureItem[] = [];
  /** The open paragraph or list item, with the lines it has collected. */
  let open: { item: StructureItem & { kind: 'paragraph' | 'list-item' }; lines: string[]; last: Unit; indented: boolean } | null = null;
  const close = () => {
    if (open) open.item.text = joinLines(open.lines, hyphenated);
    open = null;
  };

  let lastHeading: Unit | null = null;
  for (const u of units) {
    if (headings.has(u)) {
      close();
      const text = joinLines(u.lines.map((l) => l.text), hyphenated);
      const last = items.at(-1);
      // A title set on two lines that the engine read as two blocks is still one heading.
      if (last?.kind === 'heading' && lastHeading && sameHeading(lastHeading, u)) last.text = joinLines([last.text, text], hyphenated);
      else items.push({ kind: 'heading', level: headingLevel(u.size, body), text });
      lastHeading = u;
      continue;
    }
    if (u.category === 'Table') {
      close();
      items.push({ kind: 'verbatim', text: u.lines.map((l) => l.text).join('\n') });
      continue;
    }
    u.lines.forEach((line, j) => {
      const text = line.text.trim();
      // Numbers start an item after a finished sentence or another item, not inside a running one
      // ("… and\n(e) V8, the …" across a column break).
      const marker = listMarker(text, endsSentence(open?.lines.at(-1)) || open?.item.kind === 'list-item');
      if (marker) {
        close();
        const item = { kind: 'list-item' as const, marker: marker.ordinal ?? '-', text: '' };
        items.push(item);
        open = { item, lines: [text.slice(marker.length)], last: u, indented: false };
      } else if (j === 0 && !(open && continues(open, u, text, body))) {
        close();
        const item = { kind: 'paragraph' as const, text: '' };
        items.push(item);
        open = { item, lines: [text], last: u, indented: u.lines.length > 1 && line.bbox[0] - bodyLeft(u) > 0.5 * body };
      } else if (open) {
        open.lines.push(text);
        open.last = u;
      }
    });
  }
  close();
  return items.filter((i) => i.text !== '');
}

function sameHeading(a: Unit, b: Unit): boolean {
  const gap = b.box[1] - a.box[3];
  return Math.abs(a.size - b.size) < 0.12 * a.size && gap >= -0.2 * a.size && gap < 0.8 * a.size && xOverlap(a.box, b.box) > 0;
}

const endsSentence = (line: string | undefined) => line === undefined || /[.!?:;]["”’)]?$/.test(line.trim());

/** Whether a block's first line carries on the open paragraph or list item. */
function continues(open: { item: StructureItem; lines: string[]; last: Unit; indented: boolean }, u: Unit, first: string, body: number): boolean {
  const prev = open.last;
  const gap = u.box[1] - prev.box[3];
  const sameColumn = xOverlap(prev.box, u.box) > 0.3;
  const unfinished = !endsSentence(open.lines.at(-1));
  // A sentence never starts in lower case: a block that does continues the one before it
  // (also at the top of the next column).
  if (/^\p{Ll}/u.test(first) && unfinished) return true;
  if (!sameColumn || gap > 0.8 * body) return false;
  // Hanging under a list item: indented past the item's bullet.
  if (open.item.kind === 'list-item') return unfinished && u.box[0] > prev.box[0] + 0.3 * body;
  // Paragraphs marked by a first-line indent: a block without one is the same paragraph.
  return open.indented && Math.abs(u.lines[0]!.bbox[0] - bodyLeft(prev)) < 0.5 * body;
}
