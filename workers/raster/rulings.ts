import type { Ruling } from '../layout/tables/table-blocks.js';
import type { GreyImage } from './grey-image.js';
import { inkMask } from './ink-mask.js';

/*
 * The drawn rules of a scanned page: the ink mask (a local threshold, so rules on grey or
 * coloured fills count), opened by a horizontal and a vertical line whose lengths follow the
 * page's type size. Opening a mask by a 1 × L line keeps exactly the runs of ink at least L long,
 * so each direction is one pass over runs rather than an erosion and a dilation. Runs on
 * neighbouring rows (columns) that overlap are one stroke; a stroke is a Ruling.
 */

/**
 * A horizontal rule is at least this many type sizes long: longer than the runs of ink along a
 * line of bold serif type (on the linn brochure's title lines at 200 dpi: 3 type sizes gave 67
 * such runs, 4 gave 9, 5 gave 1). A table's rules span its columns, several type sizes wide.
 */
const MIN_H_LENGTH = 4;
/**
 * A vertical rule is at least this many type sizes long: longer than a title's stems (1.6 on the
 * linn brochure). A table's vertical rules run through its rows, each a line of text or more.
 */
const MIN_V_LENGTH = 2;
/** Breaks of up to this share of the type size in a rule are bridged (a scan's dropouts). */
const GAP = 1 / 16;
/** Strokes thicker than this share of the type size are fills or stems of large type, not rules. */
const MAX_THICKNESS = 0.25;
/** Collinear pieces of one rule farther apart than this many type sizes stay two rulings. */
const JOIN_GAP = 1;
/**
 * At most this many rulings each way (the longest kept): a 500 × 500 grid has 501. It bounds what
 * the table finder is handed by a page of nothing but lines.
 */
export const MAX_RULINGS = 2000;

/** A run of ink along one row (or column): `at` is the row, [from, to] the pixels along it. */
interface Run { at: number; from: number; to: number }

/** A stroke being grown from runs on consecutive rows (columns). */
interface Stroke { first: number; last: number; from: number; to: number }

/**
 * The runs of at least `min` pixels along each row of the mask, breaks up to `gap` bridged: ink
 * pixels at most gap + 1 apart are one run. Paper is skipped in tight loops (most of a row).
 */
function rowRuns(mask: Uint8Array, w: number, h: number, min: number, gap: number): Run[] {
  const runs: Run[] = [];
  // Four pixels of paper (0) at a time where the mask is aligned for it (a new array always is).
  const words = mask.byteOffset % 4 === 0 ? new Int32Array(mask.buffer, mask.byteOffset, mask.length >> 2) : null;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const end = row + w;
    const endWords = end >> 2;
    let i = row;
    for (;;) {
      while (i < end && mask[i] !== 1) {
        if (words && (i & 3) === 0) {
          let j = i >> 2;
          while (j < endWords && words[j] === 0) j++;
          if (j << 2 > i) {
            i = j << 2;
            continue;
          }
        }
        i++;
      }
      if (i === end) break;
      const start = i;
      let lastInk: number;
      for (;;) {
        while (i < end && mask[i] === 1) i++;
        lastInk = i - 1;
        const reach = Math.min(end, lastInk + gap + 2);
        while (i < reach && mask[i] !== 1) i++;
        if (i === reach) break;
      }
      if (lastInk - start + 1 >= min) runs.push({ at: y, from: start - row, to: lastInk - row });
    }
  }
  return runs;
}

/**
 * The runs of at least `min` pixels down each column, found row by row (the mask is stored by
 * rows) with each column's open run kept in two arrays; sorted by column, then row. Four columns
 * at a time are passed over where the mask is paper and none of them has a run open (most of a
 * page): `open` mirrors `start >= 0` as bytes, read four at a time beside the mask's.
 */
function columnRuns(mask: Uint8Array, w: number, h: number, min: number, gap: number): Run[] {
  const runs: Run[] = [];
  const start = new Int32Array(w).fill(-1);
  const lastInk = new Int32Array(w).fill(-gap - 2);
  const open = new Uint8Array((w + 3) & ~3);
  const openWords = new Int32Array(open.buffer);
  const words = mask.byteOffset % 4 === 0 ? new Int32Array(mask.buffer, mask.byteOffset, mask.length >> 2) : null;
  for (let y = 0; y <= h; y++) {
    const row = y * w;
    const fast = words !== null && y < h && (row & 3) === 0;
    for (let x = 0; x < w; x++) {
      if (fast && (x & 3) === 0 && x + 4 <= w && words[(row + x) >> 2] === 0 && openWords[x >> 2] === 0) {
        x += 3;
        continue;
      }
      if (y < h && mask[row + x] === 1) {
        if (y - lastInk[x]! - 1 > gap) {
          start[x] = y;
          open[x] = 1;
        }
        lastInk[x] = y;
      } else if (start[x]! >= 0 && (y === h || y - lastInk[x]! > gap)) {
        if (lastInk[x]! - start[x]! + 1 >= min) runs.push({ at: x, from: start[x]!, to: lastInk[x]! });
        start[x] = -1;
        open[x] = 0;
      }
    }
  }
  return runs.sort((a, b) => a.at - b.at || a.from - b.from);
}

/** Runs sorted by `at` grouped into strokes: a run joins a stroke of the line before that it overlaps. */
function strokes(runs: Run[]): Stroke[] {
  const done: Stroke[] = [];
  // The strokes that reached the line last seen; only those may take a run of the next line.
  let active: Stroke[] = [];
  for (let i = 0; i < runs.length;) {
    const at = runs[i]!.at;
    const reached: Stroke[] = [];
    for (; i < runs.length && runs[i]!.at === at; i++) {
      const run = runs[i]!;
      const s = active.find((c) => c.last === at - 1 && run.from <= c.to && run.to >= c.from);
      if (s) {
        s.last = at;
        s.from = Math.min(s.from, run.from);
        s.to = Math.max(s.to, run.to);
      }
      reached.push(s ?? { first: at, last: at, from: run.from, to: run.to });
    }
    for (const c of active) if (c.last !== at) done.push(c);
    active = reached;
  }
  return done.concat(active);
}

/** Collinear rulings (same line within their thickness) whose ends are at most `gap` apart, joined. */
function joinCollinear(rulings: Ruling[], horizontal: boolean, gap: number): Ruling[] {
  const pos = (r: Ruling) => (horizontal ? r.y1 : r.x1);
  const lo = (r: Ruling) => (horizontal ? r.x1 : r.y1);
  const hi = (r: Ruling) => (horizontal ? r.x2 : r.y2);
  const sorted = rulings.slice().sort((a, b) => pos(a) - pos(b) || lo(a) - lo(b));
  const out: Ruling[] = [];
  for (const r of sorted) {
    const tol = Math.max(2, r.thickness);
    // Only rulings within `tol` of this one's line can take it; they are the last few kept.
    let joined = false;
    for (let i = out.length - 1; i >= 0 && pos(r) - pos(out[i]!) <= tol; i--) {
      const o = out[i]!;
      if (lo(r) - hi(o) > gap || hi(r) < lo(o) - gap) continue;
      const a = Math.min(lo(o), lo(r));
      const b = Math.max(hi(o), hi(r));
      const p = (pos(o) + pos(r)) / 2;
      out[i] = horizontal
        ? { x1: a, y1: p, x2: b, y2: p, thickness: Math.max(o.thickness, r.thickness) }
        : { x1: p, y1: a, x2: p, y2: b, thickness: Math.max(o.thickness, r.thickness) };
      joined = true;
      break;
    }
    if (!joined) out.push(r);
  }
  return out;
}

const longest = (rulings: Ruling[]) => rulings.length <= MAX_RULINGS
  ? rulings
  : rulings.sort((a, b) => (b.x2 - b.x1 + b.y2 - b.y1) - (a.x2 - a.x1 + a.y2 - a.y1)).slice(0, MAX_RULINGS);

/**
 * Type this many pixels high (a line of text) is enough to find rules on: a finer page is reduced
 * to about it first (each pixel the darkest of its k × k block, so a 1-px rule survives), which
 * makes the search k² times cheaper. A 200-dpi page (lines ~30 px) is searched at half size, a
 * 300-dpi page at a third; rulings come back in the page's pixels, to within k/2.
 */
const ENOUGH_TYPE_PX = 12;

/**
 * The image reduced k times each way: each pixel the darkest of its block (for dark rules), or
 * with `lightest` the lightest (for the white gutters between shaded cells, which the darkest
 * would close).
 */
function reduced(img: GreyImage, k: number, lightest = false): GreyImage {
  if (k === 1) return img;
  const width = Math.floor(img.width / k);
  const height = Math.floor(img.height / k);
  const data = new Uint8Array(width * height).fill(lightest ? 0 : 255);
  const src = img.data;
  // Each output pixel's k source pixels of a row taken in one inner loop (no division per pixel).
  for (let y = 0; y < height * k; y++) {
    const row = y * img.width;
    const out = Math.floor(y / k) * width;
    for (let ox = 0, i = row; ox < width; ox++) {
      let v = data[out + ox]!;
      for (const end = i + k; i < end; i++) {
        const p = src[i]!;
        if (lightest ? p > v : p < v) v = p;
      }
      data[out + ox] = v;
    }
  }
  return { data, width, height };
}

/** Shaded cells are looked for when this share of the page's blocks is fill: greyer than FILL even at their lightest. */
const MIN_FILL_SHARE = 0.03;
/**
 * Those blocks are half a type size across: wider than a glyph's stroke, narrower than a shaded
 * cell (a line of text high or more). In the k × k blocks of the reduced copy (2 × 2 on a
 * 200-dpi page) the strokes of plain text alone made 3 % "fill": every page of the real scans
 * was searched for gutters, which doubled the rule search's time.
 */
const FILL_BLOCK_TYPE_SIZES = 0.5;
/** Greyer than this is fill (or ink), not paper. */
const FILL = 215;

/**
 * The white gutters across (`across`: horizontal gutters, else vertical) that part shaded cells:
 * near-white pixels with fill (or ink) `d` pixels to either side. The gap between two lines of
 * text on white paper is no gutter (paper lies beside it, between the letters), nor is the fill
 * between two lines of text in a shaded cell (it is not near white).
 */
function gutterMask(img: GreyImage, d: number, across: boolean): Uint8Array {
  const { data, width: w, height: h } = img;
  const mask = new Uint8Array(w * h);
  const step = across ? w : 1;
  for (let y = across ? d : 0; y < (across ? h - d : h); y++) {
    for (let x = across ? 0 : d, i = y * w + x; x < (across ? w : w - d); x++, i++) {
      if (data[i]! >= FILL && data[i - d * step]! < FILL && data[i + d * step]! < FILL) mask[i] = 1;
    }
  }
  return mask;
}

/**
 * Whether the page has enough fill for white gutters to part shaded cells: sampled on every 2nd
 * b × b block each way (b: FILL_BLOCK_TYPE_SIZES of `typeSize`, at least k), whose lightest pixel
 * is fill when greyer than FILL (type on white paper leaves some paper in every such block).
 */
export function hasFills(img: GreyImage, k: number, typeSize: number): boolean {
  const { data, width } = img;
  const b = Math.max(k, Math.round(typeSize * FILL_BLOCK_TYPE_SIZES));
  let fill = 0;
  let seen = 0;
  for (let by = 0; by + b <= img.height; by += 2 * b) {
    for (let bx = 0; bx + b <= width; bx += 2 * b, seen++) {
      let lightest = 0;
      for (let y = by; y < by + b; y++) for (let x = bx, i = y * width + bx; x < bx + b; x++, i++) if (data[i]! > lightest) lightest = data[i]!;
      if (lightest < FILL) fill++;
    }
  }
  return fill > seen * MIN_FILL_SHARE;
}

/**
 * The drawn rules of a page image in its pixels: horizontal ones (y1 = y2) and vertical ones
 * (x1 = x2), each at the middle of its stroke. `typeSize`: the height of a line of its body text
 * in pixels, which scales every length. O(pixels) time; at most MAX_RULINGS each way.
 */
export function findRulings(img: GreyImage, typeSize: number): Ruling[] {
  const k = Math.max(1, Math.floor(typeSize / ENOUGH_TYPE_PX));
  const size = typeSize / k;
  const found = rulingsAtScale(reduced(img, k), size, false);
  // Tables drawn as shaded cells parted by white gutters: the gutters are their rules.
  if (hasFills(img, k, typeSize)) {
    const gutters = rulingsAtScale(reduced(img, k, true), size, true);
    found.horizontal.push(...gutters.horizontal);
    found.vertical.push(...gutters.vertical);
  }
  const scale = (v: number) => v * k + (k - 1) / 2;
  return [...longest(found.horizontal), ...longest(found.vertical)].map((r) => (k === 1 ? r : {
    x1: scale(r.x1), y1: scale(r.y1), x2: scale(r.x2), y2: scale(r.y2), thickness: r.thickness * k,
  }));
}

/** The rules of an image at its own scale: dark ones, or with `light` the white gutters in fills. */
function rulingsAtScale(img: GreyImage, typeSize: number, light: boolean): { horizontal: Ruling[]; vertical: Ruling[] } {
  const { width: w, height: h } = img;
  const size = Math.max(4, typeSize);
  const thickest = Math.max(3, size * MAX_THICKNESS);
  const side = Math.ceil(thickest) + 1;
  // A gutter is cut where another crosses it (no fill beside it there): bridged like a dropout.
  const gap = light ? side : Math.max(1, Math.round(size * GAP));
  // A window two lines across: wide enough that the words beside a rule barely move its mean.
  const ink = light ? null : inkMask(img, Math.max(7, Math.round(size * 2)));
  const horizontal = strokes(rowRuns(ink ?? gutterMask(img, side, true), w, h, Math.round(size * MIN_H_LENGTH), gap))
    .filter((s) => s.last - s.first + 1 <= thickest)
    .map((s): Ruling => {
      const y = (s.first + s.last) / 2;
      return { x1: s.from, y1: y, x2: s.to, y2: y, thickness: s.last - s.first + 1 };
    });
  const vertical = strokes(columnRuns(ink ?? gutterMask(img, side, false), w, h, Math.round(size * MIN_V_LENGTH), gap))
    .filter((s) => s.last - s.first + 1 <= thickest)
    .map((s): Ruling => {
      const x = (s.first + s.last) / 2;
      return { x1: x, y1: s.from, x2: x, y2: s.to, thickness: s.last - s.first + 1 };
    });
  const join = size * JOIN_GAP;
  return { horizontal: joinCollinear(horizontal, true, join), vertical: joinCollinear(vertical, false, join) };
}
