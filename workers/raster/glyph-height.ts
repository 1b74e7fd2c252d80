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
  const { data } = img;
  // Four white pixels in a row (two of them sampled) counted at once: most of a bilevel page.
  const words = data.byteOffset % 4 === 0 ? new Int32Array(data.buffer, data.byteOffset, data.length >> 2) : null;
  for (let i = 0; i < data.length;) {
    if (words && (i & 3) === 0 && words[i >> 2] === -1) {
      hist[255]! += 2;
      i += 4;
      continue;
    }
    hist[data[i]!]!++;
    i += 2;
  }
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

/** The shapes of one page: a union-find whose roots hold their shape's bounding box. */
class ShapeBoxes {
  count = 0;
  parent = new Int32Array(4096);
  top = new Int32Array(4096);
  bottom = new Int32Array(4096);
  left = new Int32Array(4096);
  right = new Int32Array(4096);

  root(a: number): number {
    const parent = this.parent;
    while (parent[a] !== a) a = parent[a] = parent[parent[a]!]!;
    return a;
  }

  add(y: number, x0: number, x1: number): number {
    if (this.count === this.parent.length) this.grow();
    const shape = this.count++;
    this.parent[shape] = shape;
    this.top[shape] = this.bottom[shape] = y;
    this.left[shape] = x0;
    this.right[shape] = x1;
    return shape;
  }

  extend(shape: number, y: number, x0: number, x1: number): void {
    this.bottom[shape] = y;
    if (x0 < this.left[shape]!) this.left[shape] = x0;
    if (x1 > this.right[shape]!) this.right[shape] = x1;
  }

  /** Makes `other`'s root a child of `shape`'s (both roots), the box of `shape` covering both. */
  join(other: number, shape: number): void {
    this.parent[other] = shape;
    if (this.top[other]! < this.top[shape]!) this.top[shape] = this.top[other]!;
    if (this.left[other]! < this.left[shape]!) this.left[shape] = this.left[other]!;
    if (this.right[other]! > this.right[shape]!) this.right[shape] = this.right[other]!;
  }

  private grow(): void {
    const bigger = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.parent = bigger(this.parent);
    this.top = bigger(this.top);
    this.bottom = bigger(this.bottom);
    this.left = bigger(this.left);
    this.right = bigger(this.right);
  }
}

/** The page's 4-connected ink shapes (at most `ink`), or null past MAX_SHAPES (noise, not type). */
function inkShapes(img: GreyImage, ink = otsuLevel(img)): ShapeBoxes | null {
  const { width, height, data } = img;
  // Union-find over runs of ink, a shape's bounding box kept at its root. Typed arrays, grown by
  // doubling, and two run buffers swapped row by row: with plain arrays pushed to, a 300-dpi page
  // allocated ~7 MB of garbage here, which kept the thread's collector busy.
  const shapes = new ShapeBoxes();
  // Each row's runs as [x0, x1, shape] triples; a row has at most one run per two pixels, plus one.
  let above = new Int32Array(3 * ((width >> 1) + 1));
  let runs = new Int32Array(above.length);
  let aboveCount = 0;
  // Paper that is pure white (a bilevel scan's, the stray-ink mask's) is skipped four pixels at a
  // time: on such a page the pixel-by-pixel scan for ink was two thirds of this function's time.
  const words = data.byteOffset % 4 === 0 ? new Int32Array(data.buffer, data.byteOffset, data.length >> 2) : null;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const rowWords = (row + width) >> 2;
    let count = 0;
    let p = 0;
    for (let x = 0; x < width;) {
      if (data[row + x]! > ink) {
        let i = row + x;
        if (words && (i & 3) === 0) {
          let j = i >> 2;
          while (j < rowWords && words[j] === -1) j++;
          i = j << 2;
        }
        x = i > row + x ? i - row : x + 1;
        continue;
      }
      const x0 = x;
      while (x < width && data[row + x]! <= ink) x++;
      const x1 = x - 1;
      let shape = -1;
      while (p < aboveCount && above[p + 1]! < x0) p += 3;
      for (let q = p; q < aboveCount && above[q]! <= x1; q += 3) {
        const other = shapes.root(above[q + 2]!);
        if (shape < 0) shape = other;
        else if (other !== shape) shapes.join(other, shape);
      }
      if (shape < 0) {
        if (shapes.count === MAX_SHAPES) return null;
        shape = shapes.add(y, x0, x1);
      } else {
        shapes.extend(shape, y, x0, x1);
      }
      runs[count] = x0;
      runs[count + 1] = x1;
      runs[count + 2] = shape;
      count += 3;
    }
    const done = above;
    above = runs;
    runs = done;
    aboveCount = count;
  }
  return shapes;
}

/**
 * The page's 4-connected ink shapes (dark past Otsu's level, or at most `level` when given) as
 * boxes, four numbers each: left, top, right, bottom (inclusive); null past MAX_SHAPES (noise, not type).
 */
export function inkShapeBoxes(img: GreyImage, level?: number): Int32Array | null {
  const shapes = inkShapes(img, level);
  if (!shapes) return null;
  const { parent, top, bottom, left, right } = shapes;
  const boxes = new Int32Array(4 * shapes.count);
  let n = 0;
  for (let i = 0; i < shapes.count; i++) {
    if (parent[i] !== i) continue;
    boxes[n++] = left[i]!;
    boxes[n++] = top[i]!;
    boxes[n++] = right[i]!;
    boxes[n++] = bottom[i]!;
  }
  return boxes.subarray(0, n);
}

/** The median height of the glyph-sized shapes among `shapes` (see glyphHeight), or null. */
function medianGlyphHeight(shapes: ShapeBoxes, img: GreyImage, sideways: boolean): number | null {
  const { parent, top, bottom, left, right } = shapes;
  const heights: number[] = [];
  const pageHeight = sideways ? img.width : img.height;
  for (let i = 0; i < shapes.count; i++) {
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

/**
 * The median height, in pixels, of the page's glyph-sized ink shapes (4-connected; at least 3 px
 * high, under an eighth of the page, under three times as wide as high): about the x-height of
 * its body text. Null when there are too few such shapes to tell (a photo, a blank page), or too
 * many (noise). `sideways`: the page lies on its side, its lines run up or down the image, so a
 * glyph's height is its extent across the image (measured as it lies, not turned: no copy).
 */
export function glyphHeight(img: GreyImage, sideways = false): number | null {
  const shapes = inkShapes(img);
  return shapes && medianGlyphHeight(shapes, img, sideways);
}

/** glyphHeight measured down the image and across it, from one pass over the pixels. */
export function glyphHeightBothWays(img: GreyImage): { down: number | null; across: number | null } {
  const shapes = inkShapes(img);
  return shapes ? { down: medianGlyphHeight(shapes, img, false), across: medianGlyphHeight(shapes, img, true) } : { down: null, across: null };
}
