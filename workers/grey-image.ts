/** 8-bit grey page images: what OCR reads, what blank detection and previews look at. */
export interface GreyImage { data: Uint8Array; width: number; height: number }

export function greyFromRgba(rgba: Uint8Array, width: number, height: number): GreyImage {
  const data = new Uint8Array(width * height);
  for (let i = 0, j = 0; i < data.length; i++, j += 4) {
    // ITU-R BT.601 luma in fixed point.
    data[i] = (rgba[j]! * 77 + rgba[j + 1]! * 150 + rgba[j + 2]! * 29) >> 8;
  }
  return { data, width, height };
}

/** Grey PGM (P5): tesseract.js reads it faster than PNG, and making it is nearly free. */
export function toPgm(img: GreyImage): Buffer {
  const header = Buffer.from(`P5\n${img.width} ${img.height}\n255\n`, 'ascii');
  return Buffer.concat([header, img.data]);
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
  for (let oy = 0; oy < h; oy++) {
    for (let ox = 0; ox < w; ox++) {
      const nx = turn === 90 ? h - 1 - oy : oy;
      const ny = turn === 90 ? ox : w - 1 - ox;
      out[ny * h + nx] = data[oy * w + ox]!;
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
  for (let y = 0; y < height; y++) {
    const sy = Math.min(img.height - 1, Math.floor(y / f)) * img.width;
    for (let x = 0; x < width; x++) data[y * width + x] = img.data[sy + Math.min(img.width - 1, Math.floor(x / f))]!;
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
