import { otsuLevel } from './glyph-height.js';
import type { GreyImage } from './grey-image.js';

/*
 * Skew: how far the lines of a scan lean, measured by projection profiles (as leptonica's
 * pixFindSkew does) on a reduced, binarised copy, and the page turned back by that much.
 *
 * The ink of a reduced copy is projected onto rows sheared by each candidate angle; at the page's
 * skew the text lines fall into few rows and the profile is sharpest. Sharpness is the sum of the
 * squared differences between neighbouring rows (leptonica's measure). A coarse sweep over
 * ±MAX_SKEW_DEG finds the peak, a fine sweep around it refines it.
 */

/** The search covers this much either way: a sheet fed crooked, not a page lying on its side. */
export const MAX_SKEW_DEG = 10;
const COARSE_STEP_DEG = 0.5;
const FINE_STEP_DEG = 0.05;
/**
 * Smaller skews are left alone. Across a 2,000-px line of a 300-dpi page 0.3° drifts 10 px, under
 * half the x-height: tesseract's line finder and the table finder's tolerances absorb it, and
 * turning the page costs a resampling (softer glyphs) and ~50 ms. It is also near the fine
 * search's resolution on the reduced copy (~0.05–0.1°), where a measured angle is partly noise.
 */
export const MIN_STRAIGHTEN_DEG = 0.3;
/** The reduced copy's width at most: ~100 dpi for a letter page, enough to separate text lines. */
const REDUCED_WIDTH = 850;
/**
 * The peak must stand out: the sharpest profile at least this many times the sweep's median.
 * Text pages of the real scans measured 6–180; pages lying on their side 1.6–1.7.
 */
const MIN_PEAK_RATIO = 3;
/** Fewer ink pixels on the reduced copy than this and there are no lines to measure. */
const MIN_INK_PIXELS = 500;
/** More than this share of ink and the page is a photo or a dark fill, not lines of text. */
const MAX_INK_SHARE = 0.35;
/** Ink pixels sampled at most (every n-th taken) by each sweep: bounds the search's time on a dense page. */
const COARSE_SAMPLES = 40_000;
const FINE_SAMPLES = 120_000;

export interface SkewMeasure {
  /** Degrees the lines rise to the right (turn the page clockwise by this to straighten it); 0 when unsure. */
  angle: number;
  /** Peak sharpness over the sweep's median; 0 when there was nothing to measure. */
  confidence: number;
}

/**
 * The reduced copy: each pixel the darkest of its block's middle row (k × 1 of every k × k), so a
 * thin stroke survives the reduction and only a k-th of the page's rows is read.
 */
function reduced(img: GreyImage): GreyImage {
  const k = Math.max(1, Math.ceil(img.width / REDUCED_WIDTH));
  if (k === 1) return img;
  const width = Math.floor(img.width / k);
  const height = Math.floor(img.height / k);
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = (y * k + (k >> 1)) * img.width;
    for (let x = 0; x < width; x++) {
      let dark = 255;
      for (let i = row + x * k, end = i + k; i < end; i++) if (img.data[i]! < dark) dark = img.data[i]!;
      data[y * width + x] = dark;
    }
  }
  return { data, width, height };
}

/**
 * Where the reduced copy's ink is (darker than or at `level`), as pixel indices in reading order:
 * one pass over the copy, which both sweeps then sample without reading the pixels again.
 */
function inkAt(small: GreyImage, level: number): Int32Array {
  const { data } = small;
  const at = new Int32Array(data.length);
  let n = 0;
  for (let i = 0; i < data.length; i++) if (data[i]! <= level) at[n++] = i;
  return at.subarray(0, n);
}

/** The ink pixels `at` relative to the copy's centre, every n-th up to `max` of them. */
function inkPoints(small: GreyImage, at: Int32Array, max: number): { xs: Float64Array; ys: Float64Array } {
  const { width, height } = small;
  const every = Math.max(1, Math.ceil(at.length / max));
  const n = Math.floor(at.length / every);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const i = at[k * every]!;
    const y = Math.floor(i / width);
    xs[k] = i - y * width - width / 2;
    ys[k] = y - height / 2;
  }
  return { xs, ys };
}

/** Sharpness of the row profile of the points sheared by `deg` (rows of the reduced copy). */
function sharpness(xs: Float64Array, ys: Float64Array, rows: Float64Array, deg: number): number {
  rows.fill(0);
  const t = Math.tan((deg * Math.PI) / 180);
  const mid = rows.length >> 1;
  const n = rows.length;
  for (let i = 0; i < xs.length; i++) {
    // The row is floor(at); at in [0, n) truncates to the same, and anything else is off the profile.
    const at = ys[i]! + xs[i]! * t + mid + 0.5;
    if (at >= 0 && at < n) rows[at | 0]++;
  }
  let score = 0;
  for (let r = 1; r < rows.length; r++) {
    const d = rows[r]! - rows[r - 1]!;
    score += d * d;
  }
  return score;
}

/** The page's skew (see SkewMeasure); 0 when the page has too little or too much ink, or no clear peak. */
export function measureSkew(img: GreyImage): SkewMeasure {
  const small = reduced(img);
  const level = otsuLevel(small);
  const at = inkAt(small, level);
  const ink = at.length;
  if (ink < MIN_INK_PIXELS || ink > small.data.length * MAX_INK_SHARE) return { angle: 0, confidence: 0 };
  // Room for any point sheared by up to MAX_SKEW_DEG across the copy's width.
  const rows = new Float64Array(Math.ceil(small.height * 2 + 8));
  // The coarse sweep needs fewer points than the fine one: its peaks are ~1° wide.
  const coarse = inkPoints(small, at, COARSE_SAMPLES);
  const scores: number[] = [];
  let best = 0;
  let bestScore = -1;
  for (let deg = -MAX_SKEW_DEG; deg <= MAX_SKEW_DEG + 1e-9; deg += COARSE_STEP_DEG) {
    const s = sharpness(coarse.xs, coarse.ys, rows, deg);
    scores.push(s);
    if (s > bestScore) {
      bestScore = s;
      best = deg;
    }
  }
  const sorted = scores.slice().sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1]!;
  const confidence = median > 0 ? bestScore / median : 0;
  // A peak at the edge of the sweep is a page whose lines are not near horizontal at all.
  if (confidence < MIN_PEAK_RATIO || Math.abs(best) >= MAX_SKEW_DEG) return { angle: 0, confidence };
  const fine = inkPoints(small, at, FINE_SAMPLES);
  let angle = best;
  bestScore = -1;
  for (let deg = best - COARSE_STEP_DEG; deg <= best + COARSE_STEP_DEG + 1e-9; deg += FINE_STEP_DEG) {
    const s = sharpness(fine.xs, fine.ys, rows, deg);
    if (s > bestScore) {
      bestScore = s;
      angle = deg;
    }
  }
  return { angle: Math.round(angle * 100) / 100, confidence: Math.round(confidence * 100) / 100 };
}

/** Whether every pixel is black or white (a bilevel scan), which the turned copy then keeps. */
function isBilevel(data: Uint8Array): boolean {
  for (let i = 0; i < data.length; i++) if (data[i] !== 0 && data[i] !== 255) return false;
  return true;
}

/**
 * The image turned clockwise by `deg` about its centre, the same size, bilinear, with white
 * brought in at the corners. A bilevel image stays bilevel (nearest pixel), so it is still handed
 * to tesseract as a 1-bit PBM (see toTesseractImage).
 */
export function rotateGreyBy(img: GreyImage, deg: number): GreyImage {
  const { data: src, width: w, height: h } = img;
  const bilevel = isBilevel(src);
  const out = new Uint8Array(w * h);
  const a = (deg * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  for (let y = 0; y < h; y++) {
    const v = y - cy;
    // Source of output (x, y) is the inverse turn: (cos·u + sin·v, −sin·u + cos·v) about the centre.
    let sx = -cx * cos + v * sin + cx;
    let sy = cx * sin + v * cos + cy;
    const row = y * w;
    for (let x = 0; x < w; x++, sx += cos, sy -= sin) {
      if (sx < 0 || sy < 0 || sx >= w - 1 || sy >= h - 1) {
        out[row + x] = 255;
        continue;
      }
      const x0 = sx | 0;
      const y0 = sy | 0;
      const i = y0 * w + x0;
      if (bilevel) {
        // Nearest pixel: what thresholding the bilinear value at mid-grey gives, at a third of the cost.
        out[row + x] = src[i + (sx - x0 < 0.5 ? 0 : 1) + (sy - y0 < 0.5 ? 0 : w)]!;
        continue;
      }
      const fx = sx - x0;
      const fy = sy - y0;
      const top = src[i]! + (src[i + 1]! - src[i]!) * fx;
      const bottom = src[i + w]! + (src[i + w + 1]! - src[i + w]!) * fx;
      out[row + x] = (top + (bottom - top) * fy + 0.5) | 0;
    }
  }
  return { data: out, width: w, height: h };
}

/**
 * The page straightened when its measured skew matters (at least MIN_STRAIGHTEN_DEG), with the
 * angle it was turned by (0 when it was left as it was).
 */
export function deskew(img: GreyImage): { image: GreyImage; skew: number } {
  const { angle } = measureSkew(img);
  if (Math.abs(angle) < MIN_STRAIGHTEN_DEG) return { image: img, skew: 0 };
  return { image: rotateGreyBy(img, angle), skew: angle };
}
