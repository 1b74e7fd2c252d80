import { inkShapeBoxes } from './glyph-height.js';
import type { GreyImage } from './grey-image.js';
import { inkMask } from './ink-mask.js';

/**
 * Ink a reading left out: glyph-sized shapes that lie outside every word the reading found, in
 * groups the size of a column of text. Tesseract's automatic segmentation can drop a narrow column
 * whole — a deposition's margin line numbers, the third column of a grey, speckled numeric table —
 * while every other line of the page reads well; such a group is what a second, single-block
 * reading of just that region recovers (ocr/dropped-text.ts).
 *
 * Ink is told from paper locally (ink-mask.ts), not by one level for the page: dark type on a grey
 * fill (a report's title banner) is ink here, where the page's one level, which tesseract uses,
 * turns the whole fill black and its text with it.
 *
 * Sizes are in units of the reading's own word height (the median height of its sure words), so
 * the test is the same at any resolution.
 */

export interface InkRegion {
  x0: number; y0: number; x1: number; y1: number; glyphs: number;
  /** Share of its glyphs standing on a line with a neighbour: about the same height, feet level, close across (see textShape). */
  inLine: number;
  /** Its glyphs' median height, in word heights. */
  glyphHeight: number;
}
export interface WordBox { x0: number; y0: number; x1: number; y1: number }

/** A shape this high (in word heights) may be a glyph: a digit, a capital, a lower-case letter with no ascender down to about half a word's box. */
const MIN_GLYPH = 0.35;
/** …up to a title's capitals, about twice the body's word height. */
const MAX_GLYPH = 3;
/** A shape this close to a word found (in word heights) belongs to it: an accent, a stray serif, a glyph its box clipped. */
const WORD_MARGIN = 0.3;
/** Shapes left out join one group when this close across (in word heights): letters of a word, words of a line. */
const JOIN_ACROSS = 1.2;
/** …and this close down: the lines of one column, double-spaced as a deposition's are. */
const JOIN_DOWN = 2.6;
/** A group is worth a second reading with at least this many glyphs on at least MIN_LINES lines (its height in word heights). */
const MIN_GLYPHS = 12;
const MIN_LINES = 3;

/** Word heights at least this tall (px) are measured at half the resolution: a quarter of the pixels, glyphs still 7+ px high. */
const HALVE_FROM = 20;

/** The image at half its size, each pixel the mean of a 2 x 2 square (downscaleGrey's general case is ~8x slower). */
function halved(img: GreyImage): GreyImage {
  const width = img.width >> 1;
  const height = img.height >> 1;
  const data = new Uint8Array(width * height);
  const src = img.data;
  for (let y = 0; y < height; y++) {
    const a = 2 * y * img.width;
    const b = a + img.width;
    for (let x = 0, o = y * width; x < width; x++, o++) data[o] = (src[a + 2 * x]! + src[a + 2 * x + 1]! + src[b + 2 * x]! + src[b + 2 * x + 1]! + 2) >> 2;
  }
  return { data, width, height };
}

/**
 * The shapes of the page's ink as told locally, in a window two word heights across
 * (inkShapeBoxes' boxes, in the page's pixels). Type of body size is measured at half resolution:
 * on the set's 2000 x 2600 px pages that took the pass from ~100 to ~35 ms of CPU.
 */
function localInkShapes(img: GreyImage, wordHeight: number): Int32Array | null {
  const k = wordHeight >= HALVE_FROM ? 2 : 1;
  const small = k === 1 ? img : halved(img);
  // As a grey image, ink black (0) and the rest white: the ink is what lies at level 0 (Otsu's
  // level of such an image parts the same pixels; no histogram needed).
  const mask = inkMask(small, Math.max(7, Math.round((2 * wordHeight) / k)), true);
  const boxes = inkShapeBoxes({ data: mask, width: small.width, height: small.height }, 0);
  if (!boxes || k === 1) return boxes;
  for (let i = 0; i < boxes.length; i += 4) {
    boxes[i] = boxes[i]! * k;
    boxes[i + 1] = boxes[i + 1]! * k;
    boxes[i + 2] = boxes[i + 2]! * k + k - 1;
    boxes[i + 3] = boxes[i + 3]! * k + k - 1;
  }
  return boxes;
}

/** Union-find root with path halving. */
function root(parent: Int32Array, a: number): number {
  while (parent[a] !== a) a = parent[a] = parent[parent[a]!]!;
  return a;
}

/** Whether the box's centre lies inside a word box grown by `margin`; words are bucketed by rows of `band` px. */
function coveredTest(words: WordBox[], margin: number, band: number): (cx: number, cy: number) => boolean {
  const rows = new Map<number, WordBox[]>();
  for (const w of words) {
    for (let r = Math.floor((w.y0 - margin) / band); r <= Math.floor((w.y1 + margin) / band); r++) {
      let list = rows.get(r);
      if (!list) rows.set(r, (list = []));
      list.push(w);
    }
  }
  return (cx, cy) => (rows.get(Math.floor(cy / band)) ?? []).some((w) =>
    cx >= w.x0 - margin && cx <= w.x1 + margin && cy >= w.y0 - margin && cy <= w.y1 + margin);
}

/**
 * The regions of the page holding glyph-sized ink outside every word of `words`, largest first,
 * each a column's worth (MIN_GLYPHS on MIN_LINES lines) or more; [] when there is none or the page
 * is noise (too many shapes to count). `wordHeight`: the reading's median word height in px.
 */
export function strayInkRegions(img: GreyImage, words: WordBox[], wordHeight: number): InkRegion[] {
  if (!(wordHeight > 0) || words.length === 0) return [];
  const boxes = localInkShapes(img, wordHeight);
  if (!boxes) return [];
  const covered = coveredTest(words, WORD_MARGIN * wordHeight, Math.max(1, Math.round(wordHeight)));
  const stray: number[] = [];
  for (let i = 0; i < boxes.length; i += 4) {
    const [x0, y0, x1, y1] = [boxes[i]!, boxes[i + 1]!, boxes[i + 2]!, boxes[i + 3]!];
    const h = y1 - y0 + 1;
    const w = x1 - x0 + 1;
    if (h < MIN_GLYPH * wordHeight || h > MAX_GLYPH * wordHeight || w > MAX_GLYPH * wordHeight) continue;
    if (!covered((x0 + x1) / 2, (y0 + y1) / 2)) stray.push(i);
  }
  if (stray.length < MIN_GLYPHS) return [];
  // Group the stray shapes: a grid of cells as large as the joining distances, each shape
  // compared with those of its own and the neighbouring cells only.
  const across = JOIN_ACROSS * wordHeight;
  const down = JOIN_DOWN * wordHeight;
  const cellOf = (x: number, y: number) => `${Math.floor(x / across)},${Math.floor(y / down)}`;
  const cells = new Map<string, number[]>();
  stray.forEach((b, k) => {
    const key = cellOf(boxes[b]!, boxes[b + 1]!);
    let list = cells.get(key);
    if (!list) cells.set(key, (list = []));
    list.push(k);
  });
  const parent = Int32Array.from(stray.keys());
  const near = (a: number, b: number) =>
    Math.max(boxes[a]! - boxes[b + 2]!, boxes[b]! - boxes[a + 2]!) <= across &&
    Math.max(boxes[a + 1]! - boxes[b + 3]!, boxes[b + 1]! - boxes[a + 3]!) <= down;
  stray.forEach((b, k) => {
    const cx = Math.floor(boxes[b]! / across);
    const cy = Math.floor(boxes[b + 1]! / down);
    for (let dx = -2; dx <= 2; dx++) {
      for (let dy = -2; dy <= 2; dy++) {
        for (const j of cells.get(`${cx + dx},${cy + dy}`) ?? []) {
          if (j <= k || !near(b, stray[j]!)) continue;
          const [ra, rb] = [root(parent, k), root(parent, j)];
          if (ra !== rb) parent[rb] = ra;
        }
      }
    }
  });
  const members = new Map<number, number[]>();
  stray.forEach((b, k) => {
    const r = root(parent, k);
    let list = members.get(r);
    if (!list) members.set(r, (list = []));
    list.push(b);
  });
  const regions: InkRegion[] = [];
  for (const list of members.values()) {
    if (list.length < MIN_GLYPHS) continue;
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const b of list) {
      x0 = Math.min(x0, boxes[b]!);
      y0 = Math.min(y0, boxes[b + 1]!);
      x1 = Math.max(x1, boxes[b + 2]!);
      y1 = Math.max(y1, boxes[b + 3]!);
    }
    if (y1 - y0 + 1 < MIN_LINES * wordHeight) continue;
    regions.push({ x0, y0, x1, y1, glyphs: list.length, ...textShape(boxes, list, wordHeight) });
  }
  return regions.sort((a, b) => b.glyphs - a.glyphs);
}

/**
 * A region is read again only when at least this share of its glyphs stand in lines (inLine)…
 * On the accuracy set's 29 pages the regions whose reading was kept scored 0.49-1.00 (0.49: a
 * deposition's margin numbers, 1-9 standing alone), while a chart's scatter, a photo's blobs and a
 * rule broken into dashes scored 0-0.40.
 */
const MIN_IN_LINE = 0.45;
/**
 * …and its glyphs' median height is at least this (in word heights): a line of prose measures
 * about 0.7 (multicol_07's row labels), figures and capitals 0.9-1; specks and a halftone's dots
 * read as a field of small shapes measured 0.40-0.50.
 */
const MIN_GLYPH_HEIGHT = 0.55;

/** Whether a region's shapes look like lines of type: worth the ~0.3-2 s of reading it again. */
export function looksLikeText(region: InkRegion): boolean {
  return region.inLine >= MIN_IN_LINE && region.glyphHeight >= MIN_GLYPH_HEIGHT;
}

/** Two glyphs of one line: heights within this ratio… */
const LINE_HEIGHT_RATIO = 1.6;
/** …feet this level (in word heights; a descender's foot is not, but the glyph beside it usually is)… */
const LINE_FEET = 0.2;
/** …and this close across (in word heights): letters of a word, words of a line. */
const LINE_GAP = 1.2;

/**
 * How much a group of shapes looks like lines of type: the share of its glyphs that have a
 * neighbour of about their height, feet level with theirs, close beside them; and their median
 * height. A column of text scores high; a photo's or a halftone's field of blobs, a chart's
 * scattered marks, a drawing's strokes score low: their shapes' sizes and feet vary at random.
 */
function textShape(boxes: Int32Array, list: number[], wordHeight: number): { inLine: number; glyphHeight: number } {
  const feet = LINE_FEET * wordHeight;
  const gap = LINE_GAP * wordHeight;
  // By foot, so each glyph is compared only with those whose feet are level with its own.
  const byFoot = [...list].sort((a, b) => boxes[a + 3]! - boxes[b + 3]!);
  const height = (b: number) => boxes[b + 3]! - boxes[b + 1]! + 1;
  let inLine = 0;
  for (let i = 0; i < byFoot.length; i++) {
    const a = byFoot[i]!;
    const found = (j: number) => {
      const b = byFoot[j]!;
      const ratio = height(a) / height(b);
      return ratio <= LINE_HEIGHT_RATIO && ratio >= 1 / LINE_HEIGHT_RATIO &&
        Math.max(boxes[a]! - boxes[b + 2]!, boxes[b]! - boxes[a + 2]!) <= gap;
    };
    let hit = false;
    for (let j = i + 1; !hit && j < byFoot.length && boxes[byFoot[j]! + 3]! - boxes[a + 3]! <= feet; j++) hit = found(j);
    for (let j = i - 1; !hit && j >= 0 && boxes[a + 3]! - boxes[byFoot[j]! + 3]! <= feet; j--) hit = found(j);
    if (hit) inLine++;
  }
  const heights = list.map(height).sort((a, b) => a - b);
  return { inLine: inLine / list.length, glyphHeight: heights[heights.length >> 1]! / wordHeight };
}

/**
 * The pixels of `region` grown by `pad` on every side (clipped to the page), with every word box
 * of `words` painted white: a second reading of the region then reads only what the first left out.
 */
export function regionImage(img: GreyImage, region: WordBox, pad: number, words: WordBox[]): { image: GreyImage; x: number; y: number } {
  const x = Math.max(0, Math.floor(region.x0 - pad));
  const y = Math.max(0, Math.floor(region.y0 - pad));
  const width = Math.min(img.width, Math.ceil(region.x1 + pad) + 1) - x;
  const height = Math.min(img.height, Math.ceil(region.y1 + pad) + 1) - y;
  const data = new Uint8Array(width * height);
  for (let r = 0; r < height; r++) data.set(img.data.subarray((y + r) * img.width + x, (y + r) * img.width + x + width), r * width);
  for (const w of words) {
    const [wx0, wy0] = [Math.max(0, w.x0 - x), Math.max(0, w.y0 - y)];
    const [wx1, wy1] = [Math.min(width - 1, w.x1 - x), Math.min(height - 1, w.y1 - y)];
    for (let r = wy0; r <= wy1; r++) data.fill(255, r * width + wx0, r * width + wx1 + 1);
  }
  return { image: { data, width, height }, x, y };
}
