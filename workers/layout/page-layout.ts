import type Tesseract from 'tesseract.js';
import type { BBox, Block, CellCategory, Line, PageSource, Word } from '../../src/schemas/page-result.js';
import { headingBlocks } from './page-headings.js';
import { listMarker } from './line-text.js';

/** Builds pages → blocks → lines → words from tesseract.js output or from a pdf.js text layer. */

const round = (n: number) => Math.round(n * 10) / 10;

/** The box around `boxes` (a loop: a hostile page's line can hold more words than a spread takes). */
export function unionBox(boxes: BBox[]): BBox {
  const union: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const b of boxes) {
    union[0] = Math.min(union[0], b[0]);
    union[1] = Math.min(union[1], b[1]);
    union[2] = Math.max(union[2], b[2]);
    union[3] = Math.max(union[3], b[3]);
  }
  return union;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** tesseract's PolyBlockType (numbers in its JSON output) → dots.ocr categories; the rest is Text. */
const TESSERACT_BLOCK_CATEGORY: Record<string, CellCategory> = {
  2: 'Section-header', 4: 'Formula', 5: 'Formula', 6: 'Table', 8: 'Caption', 9: 'Picture', 10: 'Picture', 11: 'Picture',
};

/** tesseract paragraphs become our blocks: one cell per paragraph reads best as Markdown. */
export function blocksFromOcr(page: Tesseract.Page): Block[] {
  const blocks: Block[] = [];
  for (const tb of page.blocks ?? []) {
    for (const para of tb.paragraphs) {
      const lines: Line[] = para.lines
        .map((l) => {
          const words: Word[] = l.words
            .filter((w) => w.text.trim() !== '')
            .map((w) => ({ text: w.text, bbox: [w.bbox.x0, w.bbox.y0, w.bbox.x1, w.bbox.y1] as BBox, confidence: round(w.confidence) }));
          return { text: words.map((w) => w.text).join(' '), bbox: [l.bbox.x0, l.bbox.y0, l.bbox.x1, l.bbox.y1] as BBox, confidence: round(l.confidence), words };
        })
        .filter((l) => l.words.length > 0);
      if (lines.length === 0) continue;
      blocks.push({
        category: TESSERACT_BLOCK_CATEGORY[tb.blocktype] ?? 'Text',
        text: lines.map((l) => l.text).join('\n'),
        bbox: [para.bbox.x0, para.bbox.y0, para.bbox.x1, para.bbox.y1],
        confidence: round(para.confidence),
        lines,
      });
    }
  }
  return blocks;
}

/** Layout analysis without recognition: boxes for blocks and lines, no text. */
export function blocksFromLayout(page: Tesseract.Page): Block[] {
  const raw = (page as unknown as { layoutBlocks?: Tesseract.Block[] | null }).layoutBlocks ?? [];
  const box = (b: Tesseract.Bbox): BBox => [b.x0, b.y0, b.x1, b.y1];
  return raw.flatMap((tb) => tb.paragraphs.map((para) => ({
    category: TESSERACT_BLOCK_CATEGORY[tb.blocktype] ?? 'Text',
    text: '',
    bbox: box(para.bbox),
    confidence: 0,
    lines: para.lines.map((l) => ({ text: '', bbox: box(l.bbox), confidence: 0, words: [] })),
  })));
}

/** A pdf.js TextItem, reduced to what layout needs. */
export interface TextItemLike { str: string; transform: number[]; width: number; hasEOL?: boolean }

function multiply(m: number[], n: number[]): number[] {
  return [
    m[0]! * n[0]! + m[2]! * n[1]!, m[1]! * n[0]! + m[3]! * n[1]!,
    m[0]! * n[2]! + m[2]! * n[3]!, m[1]! * n[2]! + m[3]! * n[3]!,
    m[0]! * n[4]! + m[2]! * n[5]! + m[4]!, m[1]! * n[4]! + m[3]! * n[5]! + m[5]!,
  ];
}

interface PlacedRun { words: Word[]; baseline: number; size: number; eol: boolean }

/** Splits each text run into words, spreading the run's width over its characters. */
function placeRuns(items: TextItemLike[], viewportTransform: number[], scale: number): PlacedRun[] {
  const runs: PlacedRun[] = [];
  for (const item of items) {
    const m = multiply(viewportTransform, item.transform);
    const size = Math.hypot(m[2]!, m[3]!) || Math.hypot(m[0]!, m[1]!);
    const x = m[4]!;
    const baseline = m[5]!;
    const widthPx = item.width * scale;
    const chars = item.str.length;
    const words: Word[] = [];
    let offset = 0;
    for (const part of item.str.split(/(\s+)/)) {
      if (part.trim() !== '' && chars > 0) {
        const x1 = x + (widthPx * offset) / chars;
        const x2 = x + (widthPx * (offset + part.length)) / chars;
        words.push({ text: part, bbox: [x1, baseline - size * 0.85, x2, baseline + size * 0.2], confidence: 100 });
      }
      offset += part.length;
    }
    runs.push({ words, baseline, size, eol: Boolean(item.hasEOL) });
  }
  return runs;
}

/**
 * Text-layer runs often split a word ("Gal" + "∗", "word" + ","): a space goes between two runs
 * only where the page shows a gap.
 */
function toLine(words: Word[]): Line {
  let text = '';
  words.forEach((w, i) => {
    const prev = words[i - 1];
    if (prev) {
      const gap = w.bbox[0] - prev.bbox[2];
      const height = prev.bbox[3] - prev.bbox[1];
      if (gap > 0.12 * height || gap < -height) text += ' ';
    }
    text += w.text;
  });
  return { text, bbox: unionBox(words.map((w) => w.bbox)), confidence: 100, words };
}

export function blocksFromTextItems(items: TextItemLike[], viewportTransform: number[], scale: number): Block[] {
  const lines: Line[] = [];
  let current: Word[] = [];
  let lastBaseline = NaN;
  let lastSize = 0;
  const flush = () => {
    if (current.length) lines.push(toLine(current));
    current = [];
  };
  for (const run of placeRuns(items, viewportTransform, scale)) {
    if (run.words.length) {
      if (current.length && Math.abs(run.baseline - lastBaseline) > 0.5 * Math.max(run.size, lastSize)) flush();
      current.push(...run.words);
      lastBaseline = run.baseline;
      lastSize = run.size;
    }
    if (run.eol) flush();
  }
  flush();

  // Consecutive lines close together vertically, in one type size, form one block (a paragraph).
  const blocks: Block[] = [];
  let group: Line[] = [];
  const close = () => {
    if (group.length) {
      blocks.push({ category: 'Text', text: group.map((l) => l.text).join('\n'), bbox: unionBox(group.map((l) => l.bbox)), confidence: 100, lines: group });
    }
    group = [];
  };
  for (const line of lines) {
    const prev = group.at(-1);
    if (prev) {
      const height = prev.bbox[3] - prev.bbox[1];
      const gap = line.bbox[1] - prev.bbox[3];
      const overlaps = line.bbox[0] < prev.bbox[2] && line.bbox[2] > prev.bbox[0];
      // A change of type size starts a new block too: a heading set just above its paragraph.
      const resized = Math.abs(line.bbox[3] - line.bbox[1] - height) > 0.2 * height;
      if (gap > 0.8 * height || gap < -2 * height || !overlaps || resized) close();
    }
    group.push(line);
  }
  close();
  return roundBoxes(blocks);
}

/**
 * Whole pixels, as tesseract gives them: a tenth of a pixel at 200–300 dpi is no information, and
 * turning fractions into text is most of what writing a page's JSON costs. Rounded once the words
 * are grouped (spaces and paragraphs decided on the exact positions), before headings are looked
 * for, so that the cells and the Markdown see the same boxes.
 */
function roundBoxes(blocks: Block[]): Block[] {
  const whole = (b: BBox) => {
    for (let i = 0; i < 4; i++) b[i] = Math.round(b[i]!);
  };
  for (const block of blocks) {
    whole(block.bbox);
    for (const line of block.lines) {
      whole(line.bbox);
      for (const word of line.words) whole(word.bbox);
    }
  }
  return blocks;
}

/**
 * Refines categories with page position and the page's structure: short blocks hugging the top or
 * bottom edge are running headers/footers; headings are decided as for the Markdown (by relative
 * type size and standing alone, see workers/layout/page-headings.ts), so cells and Markdown agree;
 * tesseract's own "heading" block type alone does not make one.
 */
export function categorize(blocks: Block[], pageHeight: number, source: PageSource): Block[] {
  for (const block of blocks) {
    if (block.category !== 'Text' && block.category !== 'Section-header') continue;
    const [, y1, , y2] = block.bbox;
    const short = block.lines.length <= 2;
    if (short && y2 < pageHeight * 0.07) block.category = 'Page-header';
    else if (short && y1 > pageHeight * 0.93) block.category = 'Page-footer';
    else block.category = 'Text';
  }
  const headings = headingBlocks({ blocks, source });
  blocks.forEach((block, i) => {
    if (block.category !== 'Text') return;
    const level = headings.get(i);
    if (level !== undefined) block.category = level === 1 ? 'Title' : 'Section-header';
    else if (listMarker(block.lines[0]?.text.trim() ?? '')) block.category = 'List-item';
  });
  return blocks;
}

export function pageConfidence(blocks: Block[]): number {
  const words = blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
  return words.length ? round(mean(words.map((w) => w.confidence))) : 0;
}

export function pageText(blocks: Block[]): string {
  return blocks.map((b) => b.text).join('\n\n');
}
