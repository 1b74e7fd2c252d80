import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { glyphHeight, otsuLevel } from '../../../workers/raster/glyph-height.js';
import type { GreyImage } from '../../../workers/raster/grey-image.js';
import { findScan } from '../../../workers/pdf/page-scan.js';
import { soleImageGrey } from '../../../workers/raster/page-pixels.js';
import { LEGEND, paletteScanPdf } from '../../fixtures/palette-scan.js';
import { pdfPageOf } from '../../helpers/pdf-pixels.js';
import { tempDirs } from '../../helpers/temp-dirs.js';

const temp = tempDirs('pagemill-glyphs-');
afterAll(() => temp.cleanup());

/** The 96-dpi palette legend's pixels, as OCR gets them. */
async function legend(fontPt: number): Promise<GreyImage> {
  const file = path.join(await temp.make(), `legend-${fontPt}.pdf`);
  await fs.writeFile(file, await paletteScanPdf(LEGEND, { dpi: 96, fontPt }));
  const { page } = await pdfPageOf(file);
  const scan = await findScan(page);
  return (await soleImageGrey(page, scan!.soleImage!, scan!.soleImageTurn))!;
}

function blank(width: number, height: number, fill = 255): GreyImage {
  return { width, height, data: new Uint8Array(width * height).fill(fill) };
}

describe('glyphHeight', () => {
  it('grows with the type size: 6 pt at 96 dpi is about 4 px, 10 pt about 8', async () => {
    const small = glyphHeight(await legend(6))!;
    const large = glyphHeight(await legend(10))!;
    expect(small).toBeGreaterThanOrEqual(3);
    expect(small).toBeLessThanOrEqual(5);
    expect(large).toBeGreaterThanOrEqual(7);
    expect(large).toBeLessThanOrEqual(9);
  });

  it('counts glyph-sized shapes only: not specks, rules or page-high bars, each of which would move the median', () => {
    const img = blank(1000, 200);
    const fill = (x: number, y: number, w: number, h: number) => {
      for (let r = y; r < y + h; r++) img.data.fill(0, r * img.width + x, r * img.width + x + w);
    };
    // 30 glyphs 9 px high, each two arms that meet at the bottom, the right one starting higher:
    // their height comes out right only when the two halves' boxes are joined.
    for (let i = 0; i < 30; i++) {
      const x = 5 + i * 12;
      fill(x, 24, 2, 5);
      fill(x + 5, 20, 2, 9);
      fill(x, 28, 7, 1);
    }
    for (let i = 0; i < 40; i++) fill(5 + i * 12, 60, 1, 2); // specks under 3 px: median 2 if counted
    for (let row = 0; row < 5; row++) for (let j = 0; j < 7; j++) fill(5 + j * 120, 100 + row * 15, 60, 10); // rules: median 10
    for (let k = 0; k < 40; k++) fill(900 + k * 2, 0, 1, 200); // bars as high as the page: median 200
    expect(glyphHeight(img)).toBe(9);
  });

  it('gives up on a page of more shapes than any page of type has (bounded memory)', () => {
    // 650 × 650 specks of 3 × 3 px, 4 px apart: 422,500 shapes, each glyph-sized on its own.
    const size = 2600;
    const specks = blank(size, size);
    for (let y = 0; y < size; y++) {
      if (y % 4 === 3) continue;
      for (let x = 0; x < size; x += 4) specks.data.fill(0, y * size + x, y * size + x + 3);
    }
    expect(glyphHeight(specks)).toBeNull();
    // The same specks on a quarter of the page are counted (3 px).
    expect(glyphHeight({ width: size, height: size / 4, data: specks.data.subarray(0, (size * size) / 4) })).toBe(3);
  });

  it('says nothing about a blank page, or about fewer than 20 glyph-sized shapes', () => {
    expect(glyphHeight(blank(300, 300))).toBeNull();
    const boxes = (n: number) => {
      const img = blank(300, 300);
      for (let i = 0; i < n; i++) for (let r = 20 + Math.floor(i / 10) * 30; r < 30 + Math.floor(i / 10) * 30; r++) img.data.fill(0, r * 300 + 10 + (i % 10) * 25, r * 300 + 18 + (i % 10) * 25);
      return img;
    };
    expect(glyphHeight(boxes(19))).toBeNull();
    expect(glyphHeight(boxes(20))).toBe(10);
  });
});

describe('otsuLevel', () => {
  it('parts two grey levels between them', () => {
    const img = blank(100, 100, 240);
    img.data.fill(180, 0, 3000);
    const level = otsuLevel(img);
    // 127, the level it falls back on, is outside: only a working search lands here
    expect(level).toBeGreaterThanOrEqual(180);
    expect(level).toBeLessThan(240);
  });

  it('counts runs of white four pixels at a time and comes to the level the pixel-by-pixel count gives', () => {
    // White paper with grey ink of two shades; the copy one byte off its buffer's word boundary is counted pixel by pixel.
    const data = Uint8Array.from({ length: 4003 }, (_, i) => (i % 37 < 5 ? 40 : i % 53 < 3 ? 150 : 255));
    const shifted = new Uint8Array(data.length + 1).subarray(1);
    shifted.set(data);
    const level = otsuLevel({ data, width: 4003, height: 1 });
    expect(level).toBeGreaterThanOrEqual(40);
    expect(level).toBeLessThan(255);
    expect(otsuLevel({ data: shifted, width: 4003, height: 1 })).toBe(level);
  });
});
