import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config.js';
import { deskew, measureSkew, MIN_STRAIGHTEN_DEG, rotateGreyBy } from '../../workers/raster/deskew.js';
import type { GreyImage } from '../../workers/raster/grey-image.js';
import { skewedText } from '../fixtures/drawn-pages.js';

const blank = (width: number, height: number, value = 255): GreyImage => ({ data: new Uint8Array(width * height).fill(value), width, height });

describe('measureSkew', () => {
  it.each([2, -3.5, 0.8, -7])('finds lines rising %s° to the right', (deg) => {
    const { angle, confidence } = measureSkew(skewedText(deg).grey);
    expect(angle).toBeCloseTo(deg, 0);
    expect(Math.abs(angle - deg)).toBeLessThanOrEqual(0.15);
    expect(confidence).toBeGreaterThan(3);
  });

  it('measures a straight page as straight, within the search\'s resolution and well under the straightening threshold', () => {
    expect(Math.abs(measureSkew(skewedText(0).grey).angle)).toBeLessThanOrEqual(0.1);
  });

  it('says 0 for a page with nothing to measure: blank, all dark, or noise', () => {
    expect(measureSkew(blank(800, 1000)).angle).toBe(0);
    expect(measureSkew(blank(800, 1000, 0))).toEqual({ angle: 0, confidence: 0 });
    let s = 1;
    const noise = blank(800, 1000);
    for (let i = 0; i < noise.data.length; i++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      if (s % 20 === 0) noise.data[i] = 0;
    }
    expect(measureSkew(noise).angle).toBe(0);
  });

  it('leaves a page lying on its side alone (its lines run down the image)', () => {
    const page = skewedText(0).grey;
    const sideways: GreyImage = { data: new Uint8Array(page.data.length), width: page.height, height: page.width };
    for (let y = 0; y < page.height; y++) for (let x = 0; x < page.width; x++) sideways.data[x * page.height + (page.height - 1 - y)] = page.data[y * page.width + x]!;
    expect(measureSkew(sideways).angle).toBe(0);
  });
});

describe('deskew', () => {
  it('straightens a leaning page: measured again, it is straight, and its size is kept', () => {
    const page = skewedText(-3).grey;
    const { image, skew } = deskew(page);
    expect(skew).toBeCloseTo(-3, 0);
    expect([image.width, image.height]).toEqual([page.width, page.height]);
    expect(Math.abs(measureSkew(image).angle)).toBeLessThanOrEqual(0.1);
  });

  it(`leaves a page leaning less than ${MIN_STRAIGHTEN_DEG}° as it is`, () => {
    const page = skewedText(0.15).grey;
    const out = deskew(page);
    expect(out.skew).toBe(0);
    expect(out.image).toBe(page);
  });
});

describe('rotateGreyBy', () => {
  it('turns clockwise about the centre: a dot right of the centre moves down', () => {
    const img = blank(401, 401);
    img.data[200 * 401 + 300] = 0;
    const out = rotateGreyBy(img, 10);
    let at = -1;
    for (let i = 0; i < out.data.length; i++) if (out.data[i]! < 128) at = i;
    const [x, y] = [at % 401, Math.floor(at / 401)];
    expect(x).toBeCloseTo(200 + 100 * Math.cos(Math.PI / 18), -0.5);
    expect(y).toBeCloseTo(200 + 100 * Math.sin(Math.PI / 18), -0.5);
  });

  it('keeps a bilevel page bilevel (it stays a 1-bit image for tesseract) and brings white in at the corners', () => {
    const page = skewedText(2).grey;
    const bilevel = { ...page, data: page.data.map((v) => (v < 128 ? 0 : 255)) };
    const out = rotateGreyBy(bilevel, 2);
    expect(out.data.every((v) => v === 0 || v === 255)).toBe(true);
    const dark = blank(300, 300, 0);
    expect(rotateGreyBy(dark, 5).data[0]).toBe(255);
  });
});

describe('DESKEW', () => {
  it('is on by default and turned off by false or 0', () => {
    expect(configSchema.parse({}).DESKEW).toBe(true);
    expect(configSchema.parse({ DESKEW: 'false' }).DESKEW).toBe(false);
    expect(configSchema.parse({ DESKEW: '0' }).DESKEW).toBe(false);
    expect(() => configSchema.parse({ DESKEW: 'maybe' })).toThrow();
  });
});
