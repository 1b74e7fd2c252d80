import Tesseract from 'tesseract.js';
import type { GreyImage } from '../raster/grey-image.js';
import { looksLikeText, regionImage, strayInkRegions, type WordBox } from '../raster/stray-ink.js';
import { readingStrength } from './reading-choice.js';

/*
 * Text tesseract's automatic segmentation (PSM 3) left out. On the accuracy set it dropped a
 * deposition's margin line numbers 1-25 (deposition_02: word F1 90 %; the same pixels read as one
 * block, PSM 6, 97.5 %) and the third column of a grey, speckled numeric table whole (table_05).
 * Reading every page a second time as one block would double every page's time and read a
 * multi-column page's columns interleaved line by line; so only the regions holding glyph-sized
 * ink outside every word found (raster/stray-ink.ts) are read again, each as one block with the
 * words already read painted out, and their words added to the page.
 */

/** Words at least this sure give the word height the regions are measured in. */
const SURE_WORD = 60;
/** At most this many regions are read again (the largest): the cost stays bounded on a page of specks. */
const MAX_REGIONS = 4;
/**
 * A region's reading is kept when its words are this sure on average. A group of specks, a
 * halftone or a drawing read as text comes out as a few short words at low confidence: on the
 * accuracy set, such regions read at 0-63, the text regions at 73-96.
 */
const KEEP_CONFIDENCE = 70;
/** Padding around a region, in word heights: tesseract reads a glyph touching the image's edge badly. */
const PAD = 0.6;

type Read = (img: GreyImage, psm: Tesseract.PSM) => Promise<Tesseract.Page>;
type Box = { x0: number; y0: number; x1: number; y1: number };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? 0;

function wordsOf(page: Tesseract.Page): Array<{ bbox: Box; confidence: number }> {
  return (page.blocks ?? []).flatMap((b) => b.paragraphs.flatMap((p) => p.lines.flatMap((l) => l.words)));
}

const moved = (b: Box, dx: number, dy: number): Box => ({ x0: b.x0 + dx, y0: b.y0 + dy, x1: b.x1 + dx, y1: b.y1 + dy });

/** The reading's blocks placed at (dx, dy) on the page: every box of every level moved. */
function placed(page: Tesseract.Page, dx: number, dy: number): Tesseract.Block[] {
  return (page.blocks ?? []).map((b) => ({
    ...b,
    bbox: moved(b.bbox, dx, dy),
    paragraphs: b.paragraphs.map((p) => ({
      ...p,
      bbox: moved(p.bbox, dx, dy),
      lines: p.lines.map((l) => ({ ...l, bbox: moved(l.bbox, dx, dy), words: l.words.map((w) => ({ ...w, bbox: moved(w.bbox, dx, dy) })) })),
    })),
  }));
}

/**
 * The page's reading with the text its segmentation left out read again and added; the reading
 * itself when no region holds enough such ink (most pages: then the cost is one pass over the
 * pixels to find the ink's shapes). `read` reads an image in the given segmentation mode at the
 * page's resolution.
 */
export async function withDroppedText(page: Tesseract.Page, image: GreyImage, read: Read): Promise<Tesseract.Page> {
  const words = wordsOf(page);
  const wordHeight = median(words.filter((w) => w.confidence >= SURE_WORD).map((w) => w.bbox.y1 - w.bbox.y0));
  const boxes: WordBox[] = words.map((w) => w.bbox);
  // A photo, a chart or a logo forms regions too; they read at 0-36 confidence and are dropped,
  // at 0.3-2 s each: only regions whose shapes stand in lines like type are read.
  const regions = strayInkRegions(image, boxes, wordHeight).filter(looksLikeText).slice(0, MAX_REGIONS);
  const added: Tesseract.Block[] = [];
  for (const region of regions) {
    const crop = regionImage(image, region, PAD * wordHeight, boxes);
    const reading = await read(crop.image, Tesseract.PSM.SINGLE_BLOCK);
    const { characters, meanConfidence } = readingStrength(reading);
    if (characters > 0 && meanConfidence >= KEEP_CONFIDENCE) added.push(...placed(reading, crop.x, crop.y));
  }
  if (added.length === 0) return page;
  const blocks = [...(page.blocks ?? []), ...added];
  return { ...page, blocks, text: blocks.map((b) => b.text).join('\n\n') } as Tesseract.Page;
}
