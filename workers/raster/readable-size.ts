import { scriptsOf } from '../../src/languages/language-scripts.js';
import { glyphHeight, glyphHeightBothWays } from './glyph-height.js';
import { downscaleGrey, type GreyImage } from './grey-image.js';
import { liesSideways } from './page-orientation.js';

/**
 * Reading a page at the size its type needs: the median height of its glyph-sized ink shapes
 * (glyph-height.ts) says whether a coarse scan can be read as it is, and how far a fine one can
 * be reduced. Tesseract's time follows the pixels, not what it reads.
 */

/**
 * A coarse scan whose glyphs are at least this high is read as it is. Measured with native
 * tesseract, best_int eng: the 96-dpi legend at 9 pt (7 px) reads at CER 0.4 % as is and 0.0 % at
 * 200 dpi, at 8 pt (6 px) 2.5 % and 0.0 %, at 6 pt (4 px) 100 % and 4.6 %; the bench's 72-dpi book
 * page (7 px) 1.0 % in 0.87 s as is, 0.7 % in 1.36 s at 200 dpi; its 96-dpi chart (7 px) 31 % as is
 * in 0.12 s, 63 % at 200 dpi in 0.2 s.
 */
const READABLE_GLYPH_PX = 7;
/**
 * A page read finer than FINE_FLOOR_DPI whose glyphs are taller than this is reduced until they
 * are this tall, never below FINE_FLOOR_DPI. Measured the same way on the bench's 300-dpi letter
 * scans (glyphs 21 px): 2.5 s and CER 0.4–1.0 % at 300 dpi, 2.1 s and the same CER (±0.1) at
 * 200 dpi. At 150 dpi (10 px) the text was the same but its columns came out in another order;
 * at 225 dpi so did the skew page's, which is chance: the floor is where the real set read well.
 */
const COMFORTABLE_GLYPH_PX = 14;
const FINE_FLOOR_DPI = 200;
/** Reductions by less than this are not worth a copy of the page. */
const MIN_REDUCTION = 0.95;

/**
 * Whether glyph heights may decide a page's resolution: the thresholds were measured on Latin
 * type, whose shapes are letters; Han, Arabic or Devanagari shapes are strokes and clusters.
 */
export const typeSizeDecides = (lang: string) => scriptsOf(lang)?.join() === 'Latin';

/**
 * The height of the page's type in pixels (glyphHeight). A page whose lines seem to run up the
 * image is also measured across, where a page on its side has its glyphs' heights (measured down
 * alone, a sideways letter scan was read at 247 dpi, upright at 200); the larger measure is the
 * height, since a few short lines of tall shapes can seem sideways too.
 */
function typeHeight(grey: GreyImage): number | null {
  if (!liesSideways(grey)) return glyphHeight(grey);
  const { down, across } = glyphHeightBothWays(grey);
  return down === null ? null : Math.max(down, across ?? 0);
}

/** Whether a coarse scan's glyphs are big enough to read without enlarging it. */
export function readsAsIs(grey: GreyImage): boolean {
  const glyphs = typeHeight(grey);
  return glyphs !== null && glyphs >= READABLE_GLYPH_PX;
}

/** Pixels finer than FINE_FLOOR_DPI, reduced until their glyphs are COMFORTABLE_GLYPH_PX tall. */
export function atReadableSize<T extends { grey: GreyImage; dpi: number }>(pixels: T): T {
  if (pixels.dpi <= FINE_FLOOR_DPI) return pixels;
  const glyphs = typeHeight(pixels.grey);
  if (glyphs === null) return pixels;
  const factor = Math.max(FINE_FLOOR_DPI / pixels.dpi, COMFORTABLE_GLYPH_PX / glyphs);
  if (factor >= MIN_REDUCTION) return pixels;
  const { grey } = pixels;
  const reduced = downscaleGrey(grey, Math.max(1, Math.round(grey.width * factor)), Math.max(1, Math.round(grey.height * factor)));
  return { ...pixels, grey: reduced, dpi: Math.round(pixels.dpi * (reduced.width / grey.width) * 10) / 10 };
}

/**
 * Body type's glyphs are about this tall per inch (21 px at 300 dpi; glyphHeight measures about
 * the x-height plus ascenders): the resolution an image's type suggests is its glyphs over this.
 */
const BODY_GLYPH_INCHES = 21 / 300;
/**
 * An image (which states no trustworthy size) whose glyphs are shorter than this is read a second
 * time at the resolution its type suggests. Told the nominal 300 dpi, a 1,168 px magazine
 * clipping with 7 px glyphs lost half its lines (tesseract took 2-pt "type" for specks and
 * halftone): word F1 63 %, 96 % told 100 dpi. A page whose specks pass for glyphs (a dotted rule
 * on a flowchart, glyphs "5 px" under 35 px type) reads worse told less: hence the second reading
 * and a choice between them (ocr/reading-choice.ts), not a replacement.
 */
const SMALL_IMAGE_GLYPH_PX = 10;
/** Below this tesseract does not believe a resolution (its kMinCredibleResolution). */
const MIN_CREDIBLE_DPI = 70;

/** The resolution an image's small type suggests, when it is well below `nominalDpi`; else null. */
export function smallTypeDpi(grey: GreyImage, nominalDpi: number): number | null {
  const glyphs = typeHeight(grey);
  if (glyphs === null || glyphs >= SMALL_IMAGE_GLYPH_PX) return null;
  const dpi = Math.max(MIN_CREDIBLE_DPI, Math.round(glyphs / BODY_GLYPH_INCHES));
  return dpi < nominalDpi * MIN_REDUCTION ? dpi : null;
}
