/** 8-bit grey page images: what OCR reads, what blank detection and previews look at. */
export interface GreyImage { data: Uint8Array; width: number; height: number }

/** ITU-R BT.601 luma in fixed point. */
const luma = (r: number, g: number, b: number) => (r * 77 + g * 150 + b * 29) >> 8;

export function greyFromRgba(rgba: Uint8Array, width: number, height: number): GreyImage {
  const data = new Uint8Array(width * height);
  for (let i = 0, j = 0; i < data.length; i++, j += 4) {
    data[i] = luma(rgba[j]!, rgba[j + 1]!, rgba[j + 2]!);
  }
  return { data, width, height };
}

/** A decoded pdf.js image: its `ImageKind` and pixels, as pdf.js hands them to the canvas. */
export interface PdfImageData { kind: number; width: number; height: number; data?: Uint8Array | Uint8ClampedArray }

const PDF_IMAGE_GREY_1BPP = 1;
const PDF_IMAGE_RGB = 2;
const PDF_IMAGE_RGBA = 3;

/**
 * The grey pixels of a decoded pdf.js image, or null for a form we do not read (a bitmap).
 * 1-bit rows are padded to whole bytes and a set bit is white (pdf.js has applied /Decode);
 * RGBA is laid over white, as the render would.
 */
export function greyFromPdfImage(img: PdfImageData): GreyImage | null {
  const { kind, width, height, data: src } = img;
  if (!src || !width || !height) return null;
  const data = new Uint8Array(width * height);
  if (kind === PDF_IMAGE_GREY_1BPP) {
    const rowBytes = (width + 7) >> 3;
    if (src.length < rowBytes * height) return null;
    // A byte's eight pixels at a time, each bit times 255: white 255, black 0.
    const whole = width >> 3;
    for (let y = 0; y < height; y++) {
      const row = y * rowBytes;
      let o = y * width;
      for (let b = 0; b < whole; b++, o += 8) {
        const byte = src[row + b]!;
        data[o] = (byte >> 7) * 255;
        data[o + 1] = ((byte >> 6) & 1) * 255;
        data[o + 2] = ((byte >> 5) & 1) * 255;
        data[o + 3] = ((byte >> 4) & 1) * 255;
        data[o + 4] = ((byte >> 3) & 1) * 255;
        data[o + 5] = ((byte >> 2) & 1) * 255;
        data[o + 6] = ((byte >> 1) & 1) * 255;
        data[o + 7] = (byte & 1) * 255;
      }
      for (let x = whole << 3; x < width; x++, o++) data[o] = (src[row + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 255 : 0;
    }
    return { data, width, height };
  }
  if (kind === PDF_IMAGE_RGB) {
    if (src.length < width * height * 3) return null;
    for (let i = 0, j = 0; i < data.length; i++, j += 3) data[i] = luma(src[j]!, src[j + 1]!, src[j + 2]!);
    return { data, width, height };
  }
  if (kind === PDF_IMAGE_RGBA) {
    if (src.length < width * height * 4) return null;
    for (let i = 0, j = 0; i < data.length; i++, j += 4) {
      const alpha = src[j + 3]!;
      data[i] = (luma(src[j]!, src[j + 1]!, src[j + 2]!) * alpha + 255 * (255 - alpha) + 127) / 255;
    }
    return { data, width, height };
  }
  return null;
}

/**
 * Bilinear enlargement by `factor` (> 1). A coarse scan is enlarged this way before OCR: pdf.js
 * enlarges images without /Interpolate by repeating pixels, unevenly at non-integer scales, which
 * distorts small glyphs (measured on a 96-dpi palette scan: CER 13 % against 1–2 %).
 */
export function upscaleGrey(img: GreyImage, factor: number): GreyImage {
  const width = Math.max(1, Math.round(img.width * factor));
  const height = Math.max(1, Math.round(img.height * factor));
  const { data: src, width: sw, height: sh } = img;
  const data = new Uint8Array(width * height);
  const fx = sw / width;
  const fy = sh / height;
  for (let y = 0; y < height; y++) {
    const syf = Math.min(sh - 1, Math.max(0, (y + 0.5) * fy - 0.5));
    const y0 = Math.floor(syf);
    const y1 = Math.min(sh - 1, y0 + 1);
    const wy = syf - y0;
    const r0 = y0 * sw;
    const r1 = y1 * sw;
    const out = y * width;
    for (let x = 0; x < width; x++) {
      const sxf = Math.min(sw - 1, Math.max(0, (x + 0.5) * fx - 0.5));
      const x0 = Math.floor(sxf);
      const x1 = Math.min(sw - 1, x0 + 1);
      const wx = sxf - x0;
      const top = src[r0 + x0]! + (src[r0 + x1]! - src[r0 + x0]!) * wx;
      const bottom = src[r1 + x0]! + (src[r1 + x1]! - src[r1 + x0]!) * wx;
      data[out + x] = Math.round(top + (bottom - top) * wy);
    }
  }
  return { data, width, height };
}

/**
 * Reduction to `width` × `height` by averaging each output pixel's source area (a box filter):
 * for a scan larger than the pixel budget, whose pixels are read as decoded rather than drawn
 * into a canvas of the image's full size first (see page-pixels.ts). Averaging keeps thin strokes
 * that picking one source pixel in every few would break up.
 */
export function downscaleGrey(img: GreyImage, width: number, height: number): GreyImage {
  const { data: src, width: sw, height: sh } = img;
  if (width >= sw && height >= sh) return img;
  if (width <= sw && height <= sh) return boxReduced(img, width, height);
  const data = new Uint8Array(width * height);
  const colStart = Int32Array.from({ length: width + 1 }, (_, x) => Math.min(sw, Math.floor((x * sw) / width)));
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor((y * sh) / height);
    const y1 = Math.max(y0 + 1, Math.min(sh, Math.floor(((y + 1) * sh) / height)));
    for (let x = 0; x < width; x++) {
      const x0 = colStart[x]!;
      const x1 = Math.max(x0 + 1, colStart[x + 1]!);
      let sum = 0;
      for (let sy = y0; sy < y1; sy++) {
        const row = sy * sw;
        for (let sx = x0; sx < x1; sx++) sum += src[row + sx]!;
      }
      data[y * width + x] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
    }
  }
  return { data, width, height };
}

/**
 * downscaleGrey when both sides shrink: the boxes then part the source exactly (each source
 * column and row in one box), so each source row is added into its output row's sums in one pass
 * along the row instead of every output pixel walking its own box. The same sums and rounding,
 * the same pixels: ~1.5× faster on a 300 -> 200 dpi letter page.
 */
function boxReduced(img: GreyImage, width: number, height: number): GreyImage {
  const { data: src, width: sw, height: sh } = img;
  const data = new Uint8Array(width * height);
  const colStart = Int32Array.from({ length: width + 1 }, (_, x) => Math.floor((x * sw) / width));
  const outCol = new Int32Array(sw);
  for (let x = 0; x < width; x++) outCol.fill(x, colStart[x]!, colStart[x + 1]!);
  // Each box's sum is 255 × its area less its pixels' darkness (255 − v): white adds nothing, so
  // runs of white paper (most of a bilevel scan) are passed over four pixels at a time.
  const dark = new Uint32Array(width);
  const words = src.byteOffset % 4 === 0 ? new Int32Array(src.buffer, src.byteOffset, src.length >> 2) : null;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor((y * sh) / height);
    const y1 = Math.floor(((y + 1) * sh) / height);
    dark.fill(0);
    for (let sy = y0; sy < y1; sy++) {
      for (let sx = 0, i = sy * sw; sx < sw;) {
        if (words && (i & 3) === 0 && sx + 4 <= sw && words[i >> 2] === -1) {
          sx += 4;
          i += 4;
          continue;
        }
        dark[outCol[sx]!]! += 255 - src[i]!;
        sx++;
        i++;
      }
    }
    const out = y * width;
    for (let x = 0; x < width; x++) {
      const area = (y1 - y0) * (colStart[x + 1]! - colStart[x]!);
      data[out + x] = Math.round((255 * area - dark[x]!) / area);
    }
  }
  return { data, width, height };
}

/** TIFF field types, and where the pixels of toGreyTiff's file start (after its 9 fields). */
const SHORT = 3;
const LONG = 4;
const TIFF_FIELDS = 9;
const TIFF_PIXELS_AT = 8 + 2 + TIFF_FIELDS * 12 + 4;

/**
 * An uncompressed, single-strip, 8-bit grey TIFF (black is zero). Of the forms tesseract reads it
 * is the cheapest to load: leptonica reads a PGM a byte at a time, which cost 2.6 % of native
 * tesseract's time on a 200-dpi letter page (measured; tesseract.js reads both alike).
 */
export function toGreyTiff(img: GreyImage): Buffer {
  const fields: [tag: number, type: number, value: number][] = [
    [256, LONG, img.width], [257, LONG, img.height], [258, SHORT, 8], [259, SHORT, 1], [262, SHORT, 1],
    [273, LONG, TIFF_PIXELS_AT], [277, SHORT, 1], [278, LONG, img.height], [279, LONG, img.data.length],
  ];
  const head = Buffer.alloc(TIFF_PIXELS_AT);
  head.write('II*\0', 0, 'latin1');
  head.writeUInt32LE(8, 4);
  head.writeUInt16LE(TIFF_FIELDS, 8);
  fields.forEach(([tag, type, value], i) => {
    const at = 10 + i * 12;
    head.writeUInt16LE(tag, at);
    head.writeUInt16LE(type, at + 2);
    head.writeUInt32LE(1, at + 4);
    // A SHORT sits in the first two bytes of the value slot.
    if (type === SHORT) head.writeUInt16LE(value, at + 8);
    else head.writeUInt32LE(value, at + 8);
  });
  return Buffer.concat([head, img.data]);
}

/**
 * A 1-bit PBM (P4, a set bit is black) of an image whose every pixel is black or white, else
 * null. A bilevel scan (JBIG2, CCITT) read at its own resolution is such an image.
 */
export function toPbm(img: GreyImage): Buffer | null {
  const { data, width, height } = img;
  const header = Buffer.from(`P4\n${width} ${height}\n`, 'ascii');
  const out = Buffer.alloc(header.length + ((width + 7) >> 3) * height);
  header.copy(out);
  let o = header.length;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x += 8, o++) {
      const bits = Math.min(8, width - x);
      let byte = 0;
      for (let b = 0; b < bits; b++, i++) {
        const v = data[i];
        if (v === 0) byte |= 0x80 >> b;
        else if (v !== 255) return null;
      }
      out[o] = byte;
    }
  }
  return out;
}

/**
 * The page as both engines are handed it: a bilevel image as PBM, anything else as grey TIFF.
 * Each reads the same words from either form of a bilevel page (identical TSV, tesseract 5.3
 * and tesseract.js, on a 300-dpi letter scan); the PBM is an eighth of the bytes and tesseract
 * skips binarising it: 6 % less time natively, 4 % in tesseract.js (measured).
 */
export function toTesseractImage(img: GreyImage): Buffer {
  return toPbm(img) ?? toGreyTiff(img);
}

/** Turns the image clockwise by 90, 180 or 270 degrees. */
export function rotateGrey(img: GreyImage, degrees: number): GreyImage {
  const { width: w, height: h, data } = img;
  const turn = ((degrees % 360) + 360) % 360;
  if (turn === 0) return img;
  const out = new Uint8Array(w * h);
  if (turn === 180) {
    for (let i = 0; i < out.length; i++) out[i] = data[out.length - 1 - i]!;
    return { data: out, width: w, height: h };
  }
  // 90: new (x, y) = (h - 1 - oy, ox); 270: new (x, y) = (oy, w - 1 - ox); new width = h.
  // Each source row becomes a column: its pixels land h apart, from the top (90) or the bottom
  // (270). Done in square tiles, so that the lines written stay in cache while a tile's rows fill them.
  const down = turn === 90 ? h : -h;
  const TILE = 64;
  for (let ty = 0; ty < h; ty += TILE) {
    const tyEnd = Math.min(h, ty + TILE);
    for (let tx = 0; tx < w; tx += TILE) {
      const txEnd = Math.min(w, tx + TILE);
      for (let oy = ty; oy < tyEnd; oy++) {
        let o = (turn === 90 ? h - 1 - oy : (w - 1) * h + oy) + tx * down;
        for (let ox = tx, i = oy * w + tx; ox < txEnd; ox++, i++, o += down) out[o] = data[i]!;
      }
    }
  }
  return { data: out, width: h, height: w };
}

/**
 * Share of clearly dark pixels, sampled on a grid (every 3rd pixel each way): a blank page or
 * a scanner's empty back side has next to none.
 */
export function inkFraction(img: GreyImage): number {
  let dark = 0;
  let seen = 0;
  for (let y = 0; y < img.height; y += 3) {
    const row = y * img.width;
    for (let x = 0; x < img.width; x += 3) {
      seen++;
      if (img.data[row + x]! < 128) dark++;
    }
  }
  return seen ? dark / seen : 0;
}

/** Nearest-neighbour reduction to at most `maxWidth` wide (previews only). */
export function shrinkGrey(img: GreyImage, maxWidth: number): GreyImage {
  if (img.width <= maxWidth) return img;
  const f = maxWidth / img.width;
  const width = maxWidth;
  const height = Math.max(1, Math.round(img.height * f));
  const data = new Uint8Array(width * height);
  // Each output column's source column, worked out once rather than on every row.
  const sx = new Int32Array(width);
  for (let x = 0; x < width; x++) sx[x] = Math.min(img.width - 1, Math.floor(x / f));
  const src = img.data;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(img.height - 1, Math.floor(y / f)) * img.width;
    for (let x = 0, o = y * width; x < width; x++, o++) data[o] = src[sy + sx[x]!]!;
  }
  return { data, width, height };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Adds a pHYs (resolution) chunk to a PNG. tesseract's orientation detection reads the resolution
 * from the image file itself, not from user_defined_dpi, and complains on stdout without it.
 */
export function withPngResolution(png: Buffer, dpi: number): Buffer {
  const ppm = Math.round(dpi / 0.0254);
  const body = Buffer.alloc(4 + 9);
  body.write('pHYs', 0, 'latin1');
  body.writeUInt32BE(ppm, 4);
  body.writeUInt32BE(ppm, 8);
  body[12] = 1; // unit: metre
  const chunk = Buffer.alloc(4 + body.length + 4);
  chunk.writeUInt32BE(9, 0);
  body.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(body), 4 + body.length);
  const ihdrEnd = 8 + 8 + 13 + 4; // signature, IHDR length+type, IHDR data, CRC
  return Buffer.concat([png.subarray(0, ihdrEnd), chunk, png.subarray(ihdrEnd)]);
}
