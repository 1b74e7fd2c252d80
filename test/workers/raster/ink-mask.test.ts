import { describe, expect, it } from 'vitest';
import { inkMask } from '../../../workers/raster/ink-mask.js';
import { inkShapeBoxes } from '../../../workers/raster/glyph-height.js';
import type { GreyImage } from '../../../workers/raster/grey-image.js';

/** A page of grey noise with dark strokes and pale paper, the same every run. */
function noisyPage(width: number, height: number): GreyImage {
  const data = new Uint8Array(width * height);
  let seed = 7;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const r = seed >>> 24;
    data[i] = r < 40 ? r : r < 200 ? 120 + (r >> 2) : 240 + (r & 15);
  }
  return { data, width, height };
}

/** inkMask by its definition: each pixel against the mean of its window, clipped to the page. */
function maskByDefinition(img: GreyImage, r: number): Uint8Array {
  const { data, width: w, height: h } = img;
  const mask = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      let area = 0;
      for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++, area++) sum += data[yy * w + xx]!;
      }
      const v = data[y * w + x]!;
      if (v <= 230 && v * area * 1024 < sum * 768) mask[y * w + x] = 1;
    }
  }
  return mask;
}

describe('inkMask', () => {
  it('judges every pixel against its window\'s mean, at the edges and in the middle, on pages wider and narrower than the window', () => {
    for (const [w, h, r] of [[37, 23, 4], [9, 30, 7], [20, 6, 12]] as const) {
      const img = noisyPage(w, h);
      expect(inkMask(img, r)).toEqual(maskByDefinition(img, r));
    }
  });

  it('as a grey image marks the same pixels: ink 0, the rest 255', () => {
    const img = noisyPage(41, 17);
    const grey = inkMask(img, 5, true);
    expect(Array.from(grey)).toEqual(Array.from(inkMask(img, 5), (m) => (m ? 0 : 255)));
  });
});

describe('inkShapeBoxes', () => {
  it('finds the same shapes whether or not white paper can be skipped four pixels at a time', () => {
    const img = noisyPage(53, 29);
    // Pure white paper (skipped a word at a time when aligned) around the noise's dark specks.
    for (let i = 0; i < img.data.length; i++) if (img.data[i]! >= 60) img.data[i] = 255;
    const aligned = inkShapeBoxes(img, 100);
    const shifted = new Uint8Array(img.data.length + 1).subarray(1);
    shifted.set(img.data);
    expect(aligned!.length).toBeGreaterThan(40);
    expect(inkShapeBoxes({ ...img, data: shifted }, 100)).toEqual(aligned);
  });

  it('with level 0 on an ink mask as grey finds what Otsu\'s level finds', () => {
    const mask = inkMask(noisyPage(61, 33), 6, true);
    const img = { data: mask, width: 61, height: 33 };
    expect(inkShapeBoxes(img, 0)).toEqual(inkShapeBoxes(img));
  });
});
