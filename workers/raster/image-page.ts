import fs from 'node:fs/promises';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { imageSize } from 'image-size';
import UTIF from 'utif2';
import type { PageReading, PageTask } from '../../src/schemas/page-result.js';
import { greyFromRgba, type GreyImage } from './grey-image.js';
import { pageText } from '../layout/page-layout.js';
import { throughPixelLane } from './pixel-lane.js';
import { smallTypeDpi, typeSizeDecides } from './readable-size.js';
import { ocrPageImage } from '../ocr/page-ocr.js';
import { TaskFailure } from '../task-errors.js';

/** How far past the budget we still decode in order to downscale (decoding costs 4 bytes a pixel). */
const DOWNSCALE_LIMIT = 4;

async function readImage(file: string): Promise<{ bytes: Buffer; width: number; height: number; type: string }> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    throw new TaskFailure('invalid_image', `The image file could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  try {
    const { width, height, type } = imageSize(bytes);
    if (!width || !height || !type) throw new Error('no dimensions');
    return { bytes, width, height, type };
  } catch {
    throw new TaskFailure('invalid_image', 'The image is damaged or truncated: its dimensions cannot be read.');
  }
}

/** Decodes to grey pixels with skia (PNG, JPEG, WebP, BMP, GIF), scaled into the pixel budget. */
async function decodeGrey(bytes: Buffer, width: number, height: number, budget: number): Promise<{ grey: GreyImage; scaled: boolean }> {
  const f = Math.min(1, Math.sqrt(budget / (width * height)));
  const w = Math.max(1, Math.round(width * f));
  const h = Math.max(1, Math.round(height * f));
  const decoded = await loadImage(bytes).catch(() => {
    throw new TaskFailure('invalid_image', 'The image could not be decoded.');
  });
  const canvas = createCanvas(w, h);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, w, h);
  ctx.drawImage(decoded, 0, 0, w, h);
  return { grey: greyFromRgba(canvas.data(), w, h), scaled: f < 1 };
}

/** First page of a TIFF (LZW, PackBits, CCITT G3/G4, Deflate, JPEG) through utif2, as grey pixels. */
function decodeTiffGrey(bytes: Buffer): GreyImage {
  try {
    const ifds = UTIF.decode(bytes);
    const first = ifds[0];
    if (!first) throw new Error('no image');
    UTIF.decodeImage(bytes, first);
    const rgba = UTIF.toRGBA8(first);
    return greyFromRgba(rgba, first.width, first.height);
  } catch {
    throw new TaskFailure('invalid_image', 'The TIFF could not be decoded; re-export it as PNG or uncompressed TIFF.');
  }
}

export async function processImagePage(task: PageTask): Promise<PageReading> {
  const img = await readImage(task.path);
  const budget = task.max_megapixels * 1e6;
  const pixels = img.width * img.height;
  if (pixels > budget * DOWNSCALE_LIMIT) {
    throw new TaskFailure('image_too_large', `The image is ${img.width}×${img.height} (${(pixels / 1e6).toFixed(0)} MP); the budget is ${task.max_megapixels} MP.`);
  }
  const warnings: string[] = [];
  let grey: GreyImage;
  if (img.type === 'tiff') {
    if (pixels > budget) throw new TaskFailure('image_too_large', `The TIFF is ${img.width}×${img.height}; the budget is ${task.max_megapixels} MP.`);
    grey = await throughPixelLane(async () => decodeTiffGrey(img.bytes));
  } else {
    const decoded = await throughPixelLane(() => decodeGrey(img.bytes, img.width, img.height, budget));
    grey = decoded.grey;
    if (decoded.scaled) warnings.push(`Downscaled from ${img.width}×${img.height} to ${grey.width}×${grey.height} to stay within ${task.max_megapixels} MP.`);
  }
  // An image states no size we can trust (most say 96 dpi, the screen's): it is read at the
  // nominal dpi and, when its type is small for that, at the dpi its type suggests too.
  const ocr = await ocrPageImage(grey, task.dpi, task, typeSizeDecides(task.lang) ? smallTypeDpi(grey, task.dpi) : null);
  // Images carry no reliable physical size; their pixels are reported at the nominal render dpi.
  return {
    page: {
      page_no: 1, width: ocr.width, height: ocr.height, dpi: task.dpi, source: 'ocr', source_reason: 'no-text-layer',
      confidence: ocr.confidence, text: pageText(ocr.blocks),
      blocks: ocr.blocks, rotation: ocr.rotation, skew: ocr.skew, blank: ocr.blank, warnings,
    },
    textLayerPdf: ocr.textLayerPdf,
    preview: ocr.preview,
  };
}
