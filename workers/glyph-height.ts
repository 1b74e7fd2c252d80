import type { GreyImage } from './grey-image.js';

/** Fewer glyph-sized shapes than this and the page says nothing about its type size. */
const MIN_GLYPHS = 20;
/**
 * More ink shapes than this and the page is noise or a halftone, not type (a 300-dpi letter page
 * of text has ~10,000): counting stops there, which bounds the memory a hostile image can take
 * (a 25 MP checkerboard would be 12.5 million shapes).
 */
const MAX_SHAPES = 400_000;

/** Otsu's threshold over the grey histogram (every other pixel): the level that best parts ink from paper. */
export function otsuLevel(img: GreyImage): number {
  const hist = new Uint32Array(256);
  for (let i = 0; i < img.data.length; i += 2) hist[img.data[i]!]!++;
  let total = 0;
  let sum = 0;
  for (let v = 0; v < 256; v++) {
    total += hist[v]!;
    sum += v * hist[v]!;
  }
  let below = 0;
  let belowSum = 0;
  let best = -1;
  let level = 127;
  for (let v = 0; v < 255; v++) {
    below += hist[v]!;
    belowSum += v * hist[v]!;
    const above = total - below;
    if (!below || !above) continue;
    const gap = belowSum / below - (sum - belowSum) / above;
    const between = below * above * gap * gap;
    if (between > best) {
      best = between;
      level = v;
    }
  }
  return level;
}

/**
 * The median height, in pixels, of the page's glyph-sized ink shapes (4-connected; at least 3 px
 * high, under an eighth of the page, under three times as wide as high): about the x-height of
 * its body text. Null when there are too few such shapes to tell (a photo, a blank page), or too
 * many (noise). `sideways`: the page lies on its side, its lines run up or down the image, so a
 * glyph's height is its extent across the image (measured as it lies, not turned: no copy).
 */
export function glyphHeight(img: GreyImage, sideways = false): number | null {
  const { width, height, data } = img;
  const ink = otsuLevel(img);
  // Union-find over runs of ink, a shape's bounding box kept at its root.
  const parent: number[] = [];
  const top: number[] = [];
  const bottom: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const root = (a: number): number => {
    while (parent[a] !== a) a = parent[a] = parent[parent[a]!]!;
    return a;
  };
  let above: number[] = []; // the row above's runs, as [x0, x1, shape] triples
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const runs: number[] = [];
    let p = 0;
    for (let x = 0; x < width;) {
      if (data[row + x]! > ink) {
        x++;
        continue;
      }
      const x0 = x;
      while (x < width && data[row + x]! <= ink) x++;
      const x1 = x - 1;
      let shape = -1;
      while (p < above.length && above[p + 1]! < x0) p += 3;
      for (let q = p; q < above.length && above[q]! <= x1; q += 3) {
        const other = root(above[q + 2]!);
        if (shape < 0) shape = other;
        else if (other !== shape) {
          parent[other] = shape;
          top[shape] = Math.min(top[shape]!, top[other]!);
          left[shape] = Math.min(left[shape]!, left[other]!);
          right[shape] = Math.max(right[shape]!, right[other]!);
        }
      }
      if (shape < 0) {
        if (parent.length === MAX_SHAPES) return null;
        shape = parent.length;
        parent.push(shape);
        top.push(y);
        bottom.push(y);
        left.push(x0);
        right.push(x1);
      } else {
        bottom[shape] = y;
        left[shape] = Math.min(left[shape]!, x0);
        right[shape] = Math.max(right[shape]!, x1);
      }
      runs.push(x0, x1, shape);
    }
    above = runs;
  }
  const heights: number[] = [];
  const pageHeight = sideways ? width : height;
  for (let i = 0; i < parent.length; i++) {
    if (parent[i] !== i) continue;
    const down = bottom[i]! - top[i]! + 1;
    const across = right[i]! - left[i]! + 1;
    const [h, w] = sideways ? [across, down] : [down, across];
    if (h >= 3 && h < pageHeight / 8 && w < h * 3) heights.push(h);
  }
  if (heights.length < MIN_GLYPHS) return null;
  heights.sort((a, b) => a - b);
  return heights[heights.length >> 1]!;
}
