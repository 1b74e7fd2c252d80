import { describe, expect, it } from 'vitest';
import { downscaleGrey, upscaleGrey } from '../../../workers/raster/grey-image.js';

describe('upscaleGrey', () => {
  it('enlarges bilinearly: edges stay, steps become ramps', () => {
    const img = { width: 2, height: 1, data: Uint8Array.from([0, 200]) };
    const up = upscaleGrey(img, 4);
    expect([up.width, up.height]).toEqual([8, 4]);
    const row = [...up.data.subarray(0, 8)];
    expect(row[0]).toBe(0);
    expect(row[7]).toBe(200);
    expect(row).toEqual([...row].sort((a, b) => a - b));
    expect(new Set(row).size).toBeGreaterThan(3);
  });
});

describe('downscaleGrey', () => {
  /** Each output pixel the rounded mean of its source box, walked box by box. */
  function boxMeans(img: { data: Uint8Array; width: number; height: number }, width: number, height: number): number[] {
    const out: number[] = [];
    for (let y = 0; y < height; y++) {
      const y0 = Math.floor((y * img.height) / height);
      const y1 = Math.floor(((y + 1) * img.height) / height);
      for (let x = 0; x < width; x++) {
        const x0 = Math.floor((x * img.width) / width);
        const x1 = Math.floor(((x + 1) * img.width) / width);
        let sum = 0;
        for (let sy = y0; sy < y1; sy++) for (let sx = x0; sx < x1; sx++) sum += img.data[sy * img.width + sx]!;
        out.push(Math.round(sum / ((y1 - y0) * (x1 - x0))));
      }
    }
    return out;
  }

  it('averages each output pixel\'s box of source pixels, at uneven ratios too', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256;
    for (const [sw, sh, w, h] of [[51, 66, 34, 44], [40, 29, 7, 5], [13, 9, 13, 4], [30, 30, 1, 1]] as const) {
      const img = { width: sw, height: sh, data: Uint8Array.from({ length: sw * sh }, next) };
      const small = downscaleGrey(img, w, h);
      expect([small.width, small.height]).toEqual([w, h]);
      expect([...small.data]).toEqual(boxMeans(img, w, h));
    }
  });
});
