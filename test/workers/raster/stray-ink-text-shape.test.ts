import { describe, expect, it } from 'vitest';
import { withDroppedText } from '../../../workers/ocr/dropped-text.js';
import { pageFromTsv } from '../../../workers/ocr/tesseract-tsv.js';
import type { GreyImage } from '../../../workers/raster/grey-image.js';
import { looksLikeText, strayInkRegions, type WordBox } from '../../../workers/raster/stray-ink.js';

/** Word height of the drawn pages, px. */
const WH = 30;

function page(): GreyImage {
  return { data: new Uint8Array(1200 * 1200).fill(255), width: 1200, height: 1200 };
}

function fill(img: GreyImage, x0: number, y0: number, w: number, h: number): void {
  for (let y = Math.max(0, y0); y < Math.min(img.height, y0 + h); y++) img.data.fill(0, y * img.width + Math.max(0, x0), y * img.width + Math.min(img.width, x0 + w));
}

/** A small deterministic generator: the same "random" page on every run. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

/** Six lines of eight-letter "words": glyphs 0.7-1 word heights high, feet on a shared baseline. */
function textLines(img: GreyImage, x: number, y: number): void {
  const rnd = seeded(7);
  for (let line = 0; line < 6; line++) {
    const foot = y + line * 1.5 * WH + WH;
    let gx = x;
    for (let g = 0; g < 16; g++) {
      const h = Math.round((rnd() < 0.5 ? 0.7 : 1) * WH);
      fill(img, gx, foot - h, 14, h);
      gx += 14 + (g % 8 === 7 ? 24 : 6);
    }
  }
}

/** A photo's or a halftone's field: blobs of any glyph-like size, anywhere. */
function blobField(img: GreyImage, x: number, y: number): void {
  const rnd = seeded(11);
  for (let i = 0; i < 45; i++) fill(img, x + Math.round(rnd() * 420), y + Math.round(rnd() * 330), 6 + Math.round(rnd() * 30), 12 + Math.round(rnd() * 50));
}

/** A chart's scatter: small marks and dashes, no two on one baseline but by chance. */
function scatter(img: GreyImage, x: number, y: number): void {
  const rnd = seeded(23);
  for (let i = 0; i < 40; i++) {
    const px = x + Math.round(rnd() * 350);
    const py = y + Math.round(rnd() * 300);
    if (i % 2) fill(img, px, py, 12, 12);
    else fill(img, px, py, 4, 20 + Math.round(rnd() * 30));
  }
}

/** A word the first reading found, far from everything drawn: the page has a reading. */
const READ: WordBox[] = [{ x0: 1000, y0: 1100, x1: 1100, y1: 1130 }];

const HEADER = 'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext';
const firstReading = () => pageFromTsv([HEADER, '2\t1\t1\t0\t0\t0\t1000\t1100\t100\t30\t-1\t', '3\t1\t1\t1\t0\t0\t1000\t1100\t100\t30\t-1\t',
  '4\t1\t1\t1\t1\t0\t1000\t1100\t100\t30\t-1\t', '5\t1\t1\t1\t1\t1\t1000\t1100\t100\t30\t95\tread'].join('\n'));

describe('whether stray ink looks like lines of type', () => {
  it('does for lines of glyphs standing on shared baselines', () => {
    const img = page();
    textLines(img, 100, 100);
    const regions = strayInkRegions(img, READ, WH);
    expect(regions).toHaveLength(1);
    expect(regions[0]!.inLine).toBeGreaterThan(0.9);
    expect(looksLikeText(regions[0]!)).toBe(true);
  });

  it("does not for a photo's field of blobs or a chart's scattered marks", () => {
    for (const draw of [blobField, scatter]) {
      const img = page();
      draw(img, 100, 100);
      const regions = strayInkRegions(img, READ, WH);
      // The shapes still form a region worth a look by size alone…
      expect(regions.length).toBeGreaterThan(0);
      // …but not one that stands in lines.
      expect(regions.filter(looksLikeText)).toEqual([]);
    }
  });

  it('reads only the text-like region of a page that has both', async () => {
    const img = page();
    textLines(img, 100, 100);
    blobField(img, 650, 500);
    scatter(img, 100, 700);
    expect(strayInkRegions(img, READ, WH).length).toBeGreaterThanOrEqual(3);
    const asked: Array<{ width: number; height: number }> = [];
    await withDroppedText(firstReading(), img, async (crop) => {
      asked.push({ width: crop.width, height: crop.height });
      return pageFromTsv(HEADER);
    });
    // One crop: the text lines' (about 360 x 255 px with its padding), not the blobs' or the scatter's.
    expect(asked).toHaveLength(1);
    expect(asked[0]!.width).toBeLessThan(420);
    expect(asked[0]!.height).toBeLessThan(300);
  });
});
