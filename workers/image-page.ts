import fs from 'node:fs/promises';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { imageSize } from 'image-size';
import type { PageResult, PageTask } from '../src/schemas/page-result.js';
import { recognize } from './ocr-engine.js';
import { blocksFromOcr, categorize, pageConfidence, pageText } from './page-layout.js';
import { rgbaToPgm } from './render-budget.js';
import { TaskFailure } from './task-errors.js';

/** Formats skia can decode, so an over-budget image can be downscaled instead of refused. */
const DOWNSCALABLE = new Set(['png', 'jpg', 'webp', 'bmp', 'gif']);
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

export async function processImagePage(task: PageTask): Promise<Omit<PageResult, 'duration_ms'>> {
  const img = await readImage(task.path);
  const budget = task.max_megapixels * 1e6;
  const pixels = img.width * img.height;
  const warnings: string[] = [];
  let input: Buffer = img.bytes;
  let width = img.width;
  let height = img.height;

  if (pixels > budget) {
    if (!DOWNSCALABLE.has(img.type) || pixels > budget * DOWNSCALE_LIMIT) {
      throw new TaskFailure('image_too_large', `The image is ${img.width}×${img.height} (${(pixels / 1e6).toFixed(0)} MP); the budget is ${task.max_megapixels} MP.`);
    }
    const factor = Math.sqrt(budget / pixels);
    width = Math.max(1, Math.round(img.width * factor));
    height = Math.max(1, Math.round(img.height * factor));
    const decoded = await loadImage(img.bytes).catch(() => {
      throw new TaskFailure('invalid_image', 'The image could not be decoded.');
    });
    const canvas = createCanvas(width, height);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.drawImage(decoded, 0, 0, width, height);
    input = rgbaToPgm(canvas.data(), width, height);
    warnings.push(`Downscaled from ${img.width}×${img.height} to ${width}×${height} to stay within ${task.max_megapixels} MP.`);
  }

  const ocr = await recognize(input, task.lang, task.ocr_recycle_pages).catch((err: unknown) => {
    if (err instanceof TaskFailure && /read image/i.test(err.message)) {
      throw new TaskFailure('invalid_image', 'The image could not be decoded.');
    }
    throw err;
  });
  const blocks = categorize(blocksFromOcr(ocr), height, 1);
  // Images carry no reliable physical size; their pixels are reported at the nominal render dpi.
  return { page_no: 1, width, height, dpi: task.dpi, source: 'ocr', confidence: pageConfidence(blocks), text: pageText(blocks), blocks, warnings };
}
