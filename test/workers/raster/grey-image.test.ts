import { describe, expect, it } from 'vitest';
import { downscaleGrey, greyFromPdfImage, rotateGrey, shrinkGrey, upscaleGrey } from '../../../workers/raster/grey-image.js';

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

  it('gives the same means where white paper is passed over four pixels at a time, aligned or not', () => {
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256;
    // Mostly pure white with dark specks, 3 -> 2 as a 300 -> 200 dpi page; rows of 51 px start at every alignment.
    const data = Uint8Array.from({ length: 51 * 66 }, () => { const v = next(); return v < 40 ? v : 255; });
    for (const img of [{ width: 51, height: 66, data }, { width: 51, height: 66, data: (() => { const d = new Uint8Array(data.length + 1).subarray(1); d.set(data); return d; })() }]) {
      expect([...downscaleGrey(img, 34, 44).data]).toEqual(boxMeans(img, 34, 44));
    }
  });
});

describe('greyFromPdfImage (1 bit a pixel)', () => {
  it('unpacks each row\'s bits, a set bit white, the padding of a row that ends mid-byte ignored', () => {
    // 11 px wide: two bytes a row, the second's last five bits padding.
    const img = greyFromPdfImage({ kind: 1, width: 11, height: 2, data: Uint8Array.from([0b10110001, 0b01111111, 0b01000000, 0b10011111]) })!;
    expect(Array.from(img.data)).toEqual([
      255, 0, 255, 255, 0, 0, 0, 255, 0, 255, 255,
      0, 255, 0, 0, 0, 0, 0, 0, 255, 0, 0,
    ]);
  });
});

describe('rotateGrey', () => {
  // 3 × 2:  a b c
  //         d e f
  const img = { width: 3, height: 2, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };
  it('turns a quarter clockwise: the left column becomes the top row, read upwards', () => {
    expect(rotateGrey(img, 90)).toEqual({ width: 2, height: 3, data: Uint8Array.from([4, 1, 5, 2, 6, 3]) });
  });
  it('turns a quarter anticlockwise (270): the right column becomes the top row', () => {
    expect(rotateGrey(img, 270)).toEqual({ width: 2, height: 3, data: Uint8Array.from([3, 6, 2, 5, 1, 4]) });
    expect(rotateGrey(rotateGrey(img, 90), 270)).toEqual(img);
  });
});

describe('shrinkGrey', () => {
  it('takes each output pixel from the nearest source pixel', () => {
    const img = { width: 4, height: 2, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) };
    expect(shrinkGrey(img, 2)).toEqual({ width: 2, height: 1, data: Uint8Array.from([1, 3]) });
  });
});
