import type Tesseract from 'tesseract.js';
import { otsuLevel } from '../raster/glyph-height.js';
import type { GreyImage } from '../raster/grey-image.js';

/*
 * Tesseract's LSTM engine decides where words end from the line as a whole, and in a table of
 * short codes it drops the space between a number and the letter after it: the accuracy set's
 * table_05 reads `13 A`, `14 B` as `13A`, `14B` 53 times (each one word read where two were
 * printed: word F1 59 %, where scribe.js's legacy-engine pass gets the spaces). The space is
 * still in the ink. A word whose figures meet its letters across a gap as wide as the page's own
 * spaces is two words; a code printed as one (`2020E`, `F.3d`, `4th`, `CDALEDEP003572`) has no
 * such gap there, or one no wider than the gaps between its own letters, or no gaps of its own. Measured on the set's 29
 * pages read at 300 dpi: the table's gaps were 0.74-1.12 of the page's median space and 2-6 times
 * any other gap in the word; of the other figure-letter words, all but a handful had gaps under
 * 0.7 of a space, and of those `12/21E` has as wide a gap between `2` and `1`, and `1st` is a `1`.
 */

/** A gap at least this share of the page's median space splits the word. */
const SPACE_SHARE = 0.72;
/** …and at least this many times as wide as any other gap in the word. */
const OTHER_GAPS = 1.5;
/** Words less sure than this are misread anyway: their letters say little about where they meet. */
const SURE_WORD = 50;
/** The page's spaces are measured between words this sure… */
const SURE_SPACE = 80;
/** …that stand closer than this many word heights (farther apart they are columns, not words). */
const MAX_SPACE = 1.5;
/** Fewer spaces than this and the page says nothing about its spacing. */
const MIN_SPACES = 5;

type Word = Tesseract.Word;
type Box = Tesseract.Bbox;
const height = (b: Box) => b.y1 - b.y0;

function linesOf(page: Tesseract.Page): Tesseract.Line[] {
  return (page.blocks ?? []).flatMap((b) => b.paragraphs.flatMap((p) => p.lines));
}

/** The median gap between neighbouring sure words on a line, in word heights; null when too few. */
function medianSpace(page: Tesseract.Page): number | null {
  const spaces: number[] = [];
  for (const line of linesOf(page)) {
    line.words.slice(1).forEach((w, i) => {
      const prev = line.words[i]!;
      const h = Math.max(height(w.bbox), height(prev.bbox));
      const gap = w.bbox.x0 - prev.bbox.x1;
      if (h > 0 && gap > 0 && gap < MAX_SPACE * h && w.confidence >= SURE_SPACE && prev.confidence >= SURE_SPACE) spaces.push(gap / h);
    });
  }
  if (spaces.length < MIN_SPACES) return null;
  spaces.sort((a, b) => a - b);
  return spaces[spaces.length >> 1]!;
}

/** Where a word's figures meet its letters (the index of the first character after), when they meet exactly once. */
function figureLetterJoin(text: string): number | null {
  let at: number | null = null;
  for (let i = 1; i < text.length; i++) {
    const [a, b] = [text[i - 1]!, text[i]!];
    if ((/\d/.test(a) && /[A-Za-z]/.test(b)) || (/[A-Za-z]/.test(a) && /\d/.test(b))) {
      // A `1` is the narrowest figure: its bearings alone leave a gap as wide as a space (`1st`).
      if (at !== null || a === '1' || b === '1') return null;
      at = i;
    }
  }
  return at;
}

/** The runs of ink-free columns inside the box, ink on both sides: each its first and last column. */
function gapsIn(img: GreyImage, level: number, box: Box): Array<[number, number]> {
  const gaps: Array<[number, number]> = [];
  let start = -1;
  let inked = false;
  for (let x = Math.max(0, box.x0); x < Math.min(img.width, box.x1); x++) {
    let ink = false;
    for (let y = Math.max(0, box.y0); y < Math.min(img.height, box.y1) && !ink; y++) ink = img.data[y * img.width + x]! <= level;
    if (!ink) {
      if (inked && start < 0) start = x;
      continue;
    }
    if (start >= 0) gaps.push([start, x - 1]);
    start = -1;
    inked = true;
  }
  return gaps;
}

/** The word as two when a space-wide gap parts its figures from its letters; else the word. */
function splitWord(word: Word, img: GreyImage, level: () => number, space: number): Word[] {
  const at = word.confidence >= SURE_WORD ? figureLetterJoin(word.text) : null;
  if (at === null) return [word];
  const { x0, x1 } = word.bbox;
  const perChar = (x1 - x0) / word.text.length;
  const guess = x0 + perChar * at;
  const gaps = gapsIn(img, level(), word.bbox);
  const width = (g: [number, number]) => g[1] - g[0] + 1;
  const near = gaps.filter((g) => Math.abs((g[0] + g[1]) / 2 - guess) <= perChar);
  const gap = near.reduce<[number, number] | null>((best, g) => (!best || width(g) > width(best) ? g : best), null);
  if (!gap || width(gap) < SPACE_SHARE * space * height(word.bbox)) return [word];
  // A space is wider than the gaps between the word's letters: a `1` beside a letter leaves a
  // wide gap too (`12/21E`), and as wide a one beside its other neighbour. A word whose letters
  // all touch (`2014e` in small type) shows no spacing of its own to compare with: left whole.
  const others = gaps.filter((g) => g !== gap).map(width);
  if (others.length === 0 || width(gap) < OTHER_GAPS * Math.max(...others)) return [word];
  return [
    { ...word, text: word.text.slice(0, at), bbox: { ...word.bbox, x1: gap[0] } },
    { ...word, text: word.text.slice(at), bbox: { ...word.bbox, x0: gap[1] + 1 } },
  ];
}

/**
 * The reading with its words that join figures and letters across a space split in two (table_05's
 * `13A` -> `13 A`); the reading itself when no word is. `img`: the pixels it was read from.
 */
export function withJoinedWordsSplit(page: Tesseract.Page, img: GreyImage): Tesseract.Page {
  const space = medianSpace(page);
  if (space === null) return page;
  // The page's ink level only when a word is a candidate (most pages have none).
  let ink: number | undefined;
  const level = () => (ink ??= otsuLevel(img));
  let split = 0;
  const blocks = (page.blocks ?? []).map((b) => {
    const paragraphs = b.paragraphs.map((p) => {
      const lines = p.lines.map((l) => {
        const words = l.words.flatMap((w) => splitWord(w, img, level, space));
        if (words.length === l.words.length) return l;
        split += words.length - l.words.length;
        return { ...l, words, text: words.map((w) => w.text).join(' ') };
      });
      return { ...p, lines, text: lines.map((l) => l.text).join('\n') };
    });
    return { ...b, paragraphs, text: paragraphs.map((p) => p.text).join('\n\n') };
  });
  if (split === 0) return page;
  return { ...page, blocks, text: blocks.map((b) => b.text).join('\n\n') } as Tesseract.Page;
}
