import { createCanvas, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { greyFromRgba, type GreyImage } from '../../workers/grey-image.js';
import { atReadingSize, smallTextHeight } from '../../workers/reading-size.js';
import { scannedPng } from '../fixtures/pdf-fixtures.js';
import { PROSE_PAGE } from '../fixtures/prose-page.js';

async function greyOf(png: Buffer): Promise<GreyImage> {
  const img = await loadImage(png);
  const ctx = createCanvas(img.width, img.height).getContext('2d');
  ctx.drawImage(img, 0, 0);
  return greyFromRgba(ctx.getImageData(0, 0, img.width, img.height).data as unknown as Uint8Array, img.width, img.height);
}

/** The fixture's type is 14-pt Helvetica: its x-height is 0.52 em, 30 px at 300 dpi. */
const xHeightAt = (dpi: number) => (14 * 0.52 * dpi) / 72;

describe('reading size', () => {
  it('measures the x-height of a page of text', async () => {
    for (const dpi of [150, 300]) {
      const height = smallTextHeight(await greyOf(await scannedPng(PROSE_PAGE, dpi)))!;
      expect(Math.abs(height - xHeightAt(dpi)), `at ${dpi} dpi: ${height}`).toBeLessThan(xHeightAt(dpi) * 0.2);
    }
  });

  it('reduces a page whose type is larger than needed, never below two thirds, and keeps small type as it is', async () => {
    const large = await greyOf(await scannedPng(PROSE_PAGE, 300));
    const reduced = atReadingSize(large, 300);
    expect(reduced.dpi).toBeCloseTo(200, 0);
    expect(reduced.grey.width).toBe(Math.round(large.width * (2 / 3)));

    const small = await greyOf(await scannedPng(PROSE_PAGE, 100));
    expect(atReadingSize(small, 100).grey).toBe(small);
  });

  it('leaves pages it cannot measure alone: blank, or a line or two', async () => {
    const blank: GreyImage = { data: new Uint8Array(300 * 400).fill(255), width: 300, height: 400 };
    expect(smallTextHeight(blank)).toBeNull();
    const short = await greyOf(await scannedPng(PROSE_PAGE.slice(0, 2), 300));
    expect(atReadingSize(short, 300).grey).toBe(short);
  });
});
