import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { glyphHeight, otsuLevel } from '../../workers/glyph-height.js';
import type { GreyImage } from '../../workers/grey-image.js';
import { findScan } from '../../workers/page-scan.js';
import { soleImageGrey } from '../../workers/page-pixels.js';
import { openPdf } from '../../workers/pdf-documents.js';
import { paletteScanPdf } from '../fixtures/palette-scan.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const LEGEND = ['Legend of the survey map', 'Deciduous woodland and hedgerows', 'Marsh, reeds and wet meadow', 'Footpath or bridleway (public)'];

const temp = tempDirs('pagemill-glyphs-');
afterAll(() => temp.cleanup());

/** The 96-dpi palette legend's pixels, as OCR gets them. */
async function legend(fontPt: number): Promise<GreyImage> {
  const file = path.join(await temp.make(), `legend-${fontPt}.pdf`);
  await fs.writeFile(file, await paletteScanPdf(LEGEND, { dpi: 96, fontPt }));
  const doc = await openPdf(file, { maxImagePixels: 1e9 });
  const page = await doc.getPage(1);
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

  it('counts boxes of known height, not bars, specks or page-high rules', () => {
    const img = blank(400, 200);
    const fill = (x: number, y: number, w: number, h: number) => {
      for (let r = y; r < y + h; r++) img.data.fill(0, r * img.width + x, r * img.width + x + w);
    };
    for (let i = 0; i < 30; i++) fill(5 + i * 12, 20, 6, 9); // 30 "glyphs" 9 px high
    for (let i = 0; i < 20; i++) fill(5 + i * 12, 60, 1, 2); // specks under 3 px
    fill(0, 100, 400, 10); // a rule 40 times as wide as high
    fill(390, 0, 4, 200); // a bar the height of the page
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

  it('says nothing about a blank page or a few shapes', () => {
    expect(glyphHeight(blank(300, 300))).toBeNull();
    const few = blank(300, 300);
    for (let i = 0; i < 5; i++) few.data.fill(0, 3000 + i * 20, 3010 + i * 20);
    expect(glyphHeight(few)).toBeNull();
  });
});

describe('otsuLevel', () => {
  it('parts two grey levels between them', () => {
    const img = blank(100, 100, 220);
    img.data.fill(40, 0, 3000);
    const level = otsuLevel(img);
    expect(level).toBeGreaterThanOrEqual(40);
    expect(level).toBeLessThan(220);
  });
});
