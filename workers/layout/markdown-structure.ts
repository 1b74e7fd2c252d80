import type { BBox, Block, CellCategory, PageSource, TableStructure } from '../../src/schemas/page-result.js';
import { xOverlap } from './text-geometry.js';
import { hyphenatedIn, joinLines, listMarker, type HyphenatedWords } from './line-text.js';
import { analysePage, bodyLeft, headingLevel, sameHeading, type Unit } from './page-headings.js';
import { tableMarkdown } from './table-markup.js';

/**
 * The structure of a page as a reader sees it — headings, paragraphs, list items — from what every
 * engine gives us: blocks in reading order, lines, and word boxes. Pure: page in, items out.
 *
 * - Headings: see page-headings.ts.
 * - Lines of a block are one paragraph; a block that starts in lower case, hangs under a list
 *   item, or continues an indented-paragraph style without its own indent continues the one before.
 * - A line starting with a bullet (or what OCR makes of one) or a number starts a list item.
 * - A Table block is verbatim: with a found structure, one item carrying the grid (its text the
 *   table as Markdown, see table-markup.ts); without, its lines as read.
 */
export type StructureItem = (
  | { kind: 'heading'; level: 1 | 2 | 3; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'list-item'; marker: string; text: string }
  | { kind: 'verbatim'; text: string }
) & ItemPlace;

/**
 * Where an item lies (for the HTML's data attributes and the chunks' boxes): one box per block it
 * was read from (a paragraph that runs on into the next column has two), the category of the first
 * (a `Caption` paragraph, a `Table`), and a table's grid when one was found.
 */
export interface ItemPlace { boxes: BBox[]; category: CellCategory; table?: TableStructure }

const union = (a: BBox, b: BBox): BBox => [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];

/** Adds a line's box to an item: to the box of the unit it is in, or as a new box for a new unit. */
function place(item: ItemPlace, box: BBox, unit: Unit, units: Map<ItemPlace, Unit>): void {
  if (units.get(item) === unit && item.boxes.length) item.boxes[item.boxes.length - 1] = union(item.boxes.at(-1)!, box);
  else item.boxes.push([...box]);
  units.set(item, unit);
}

export interface StructureInput { blocks: Block[]; source: PageSource }

/** The paragraph or list item being collected, with its lines so far. */
interface OpenItem {
  item: StructureItem & { kind: 'paragraph' | 'list-item' };
  lines: string[];
  /** The unit its last line came from. */
  last: Unit;
  /** Its first line is indented (the page marks paragraphs by indenting them). */
  indented: boolean;
}

export function pageStructure(page: StructureInput, withHeaderFooter = true): StructureItem[] {
  const { units, headings, body } = analysePage(page, withHeaderFooter);
  const hyphenated = hyphenatedWords(page.blocks);

  const items: StructureItem[] = [];
  /** The unit each item's last box came from. */
  const lastUnit = new Map<ItemPlace, Unit>();
  let open: OpenItem | null = null;
  const close = () => {
    if (open) open.item.text = joinLines(open.lines, hyphenated);
    open = null;
  };

  let lastHeading: Unit | null = null;
  // A table block split into units (its type size jumps) is still one table.
  const tablesDone = new Set<number>();
  for (const u of units) {
    const table = u.category === 'Table' ? page.blocks[u.block]?.table : undefined;
    if (table) {
      close();
      if (!tablesDone.has(u.block)) {
        items.push({ kind: 'verbatim', text: tableMarkdown(table), boxes: [[...page.blocks[u.block]!.bbox]], category: 'Table', table });
      }
      tablesDone.add(u.block);
      continue;
    }
    if (headings.has(u)) {
      close();
      const text = joinLines(u.lines.map((l) => l.text), hyphenated);
      const last = items.at(-1);
      // A title set on two lines that the engine read as two blocks is still one heading.
      if (last?.kind === 'heading' && lastHeading && sameHeading(lastHeading, u)) {
        last.text = joinLines([last.text, text], hyphenated);
        place(last, u.box, u, lastUnit);
      } else items.push({ kind: 'heading', level: headingLevel(u.size, body), text, boxes: [[...u.box]], category: u.category });
      lastHeading = u;
      continue;
    }
    if (u.category === 'Table') {
      close();
      items.push({ kind: 'verbatim', text: u.lines.map((l) => l.text).join('\n'), boxes: [[...u.box]], category: u.category });
      continue;
    }
    u.lines.forEach((line, j) => {
      const text = line.text.trim();
      // Numbers start an item after a finished sentence or another item, not inside a running one
      // ("… and\n(e) V8, the …" across a column break).
      const marker = listMarker(text, endsSentence(open?.lines.at(-1)) || open?.item.kind === 'list-item');
      if (marker) {
        close();
        const item = { kind: 'list-item' as const, marker: marker.ordinal ?? '-', text: '', boxes: [], category: u.category };
        items.push(item);
        place(item, line.bbox, u, lastUnit);
        open = { item, lines: [text.slice(marker.length)], last: u, indented: false };
      } else if (j === 0 && !(open && continues(open, u, text, body))) {
        close();
        const item = { kind: 'paragraph' as const, text: '', boxes: [], category: u.category };
        items.push(item);
        place(item, line.bbox, u, lastUnit);
        open = { item, lines: [text], last: u, indented: u.lines.length > 1 && line.bbox[0] - bodyLeft(u) > 0.5 * body };
      } else if (open) {
        open.lines.push(text);
        open.last = u;
        place(open.item, line.bbox, u, lastUnit);
      }
    });
  }
  close();
  return items.filter((i) => i.text !== '');
}

/**
 * The page's hyphenated words ("well-known", lower case), found on first use: only a line that ends
 * in a hyphen before a lower-case line asks (see joinLines), and reading every block's text for
 * them was 1–2 % of a born-digital page's time.
 */
function hyphenatedWords(blocks: Block[]): HyphenatedWords {
  let words: Set<string> | undefined;
  return { has: (word) => (words ??= new Set(blocks.flatMap((b) => hyphenatedIn(b.text.toLowerCase())))).has(word) };
}

const endsSentence = (line: string | undefined) => line === undefined || /[.!?:;]["”’)]?$/.test(line.trim());

/** Whether a block's first line carries on the open paragraph or list item. */
function continues(open: OpenItem, u: Unit, first: string, body: number): boolean {
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
