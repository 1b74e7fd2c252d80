import { afterAll, describe, expect, it } from 'vitest';
import { rotateGrey, type GreyImage } from '../../../workers/raster/grey-image.js';
import { atReadableSize, typeSizeDecides } from '../../../workers/raster/readable-size.js';
import { LEGEND, paletteScanPdf } from '../../fixtures/palette-scan.js';
import { scannedPdf } from '../../fixtures/pdf-fixtures.js';
import { PROSE_PAGE } from '../../fixtures/prose-page.js';
import { ocrPixelsAt300 } from '../../helpers/pdf-pixels.js';
import { tempDirs } from '../../helpers/temp-dirs.js';

const temp = tempDirs('pagemill-readable-');
afterAll(() => temp.cleanup());

/** A white 600 × 600 page with 40 black "glyphs" `glyphPx` high. */
function page(glyphPx: number): GreyImage {
  const img = { width: 600, height: 600, data: new Uint8Array(600 * 600).fill(255) };
  for (let i = 0; i < 40; i++) {
    const x = 20 + (i % 20) * 28;
    const y = 50 + Math.floor(i / 20) * 100;
    for (let r = y; r < y + glyphPx; r++) img.data.fill(0, r * 600 + x, r * 600 + x + 8);
  }
  return img;
}

/** ocrPixels on page 1 of `pdf`, 300-dpi target, then the reduction, as processPdfPage does. */
async function read(pdf: Buffer) {
  return atReadableSize(await ocrPixelsAt300(await temp.make(), 'page.pdf', pdf, true));
}

describe('atReadableSize', () => {
  it('reduces pixels until their glyphs are 14 px, never below 200 dpi', () => {
    const tall = atReadableSize({ grey: page(28), dpi: 300 });
    expect(tall.dpi).toBe(200); // 14/28 would be 150 dpi: the floor holds
    expect(tall.grey.width).toBe(400);
    const between = atReadableSize({ grey: page(16), dpi: 300 });
    expect(between.dpi).toBe(262.5); // 14/16 of 300
    expect(between.grey.width).toBe(525);
  });

  it('leaves small type, pages at 200 dpi or coarser, and pages without type as they are', () => {
    for (const pixels of [{ grey: page(12), dpi: 300 }, { grey: page(28), dpi: 200 }, { grey: page(28), dpi: 150 }, { grey: { ...page(0) }, dpi: 300 }]) {
      expect(atReadableSize(pixels)).toBe(pixels);
    }
  });

  it('reads a 300-dpi scan of 14-pt text at 200 dpi, and one of 6-pt text at 300', async () => {
    const large = await read(await scannedPdf([['Pixels straight from the scan', 'the quick brown fox jumps over the lazy dog']], 300));
    expect(large.dpi).toBe(200);
    expect([large.grey.width, large.grey.height]).toEqual([1700, 2200]);
    const small = await read(await paletteScanPdf(LEGEND.slice(0, 3), { dpi: 300, fontPt: 6 }));
    expect(small.dpi).toBe(300);
    expect(small.grey.width).toBe(2550);
  });

  it('reads a page scanned on its side at the size it is read upright', async () => {
    // 9-pt type at 300 dpi: its glyphs are about 19 px high and narrower than that.
    const upright = await ocrPixelsAt300(await temp.make(), 'page.pdf', await paletteScanPdf(PROSE_PAGE, { dpi: 300, fontPt: 9 }), true);
    const reduced = atReadableSize(upright);
    expect(reduced.dpi).toBeGreaterThan(200);
    expect(reduced.dpi).toBeLessThan(250);
    for (const turn of [90, 270]) {
      const sideways = atReadableSize({ ...upright, grey: rotateGrey(upright.grey, turn) });
      expect(sideways.dpi, `turned ${turn}`).toBe(reduced.dpi);
      expect([sideways.grey.height, sideways.grey.width]).toEqual([reduced.grey.width, reduced.grey.height]);
    }
  });
});

describe('typeSizeDecides', () => {
  it('lets glyph heights decide for Latin-script languages only', () => {
    expect(typeSizeDecides('eng')).toBe(true);
    expect(typeSizeDecides('eng+fra')).toBe(true);
    for (const lang of ['chi_sim', 'eng+rus', 'ara', 'unknown']) expect(typeSizeDecides(lang), lang).toBe(false);
  });
});
