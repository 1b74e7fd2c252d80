import { createCanvas, loadImage } from '@napi-rs/canvas';
import { greyFromRgba, type GreyImage } from '../../workers/raster/grey-image.js';

/** A PNG's pixels as the grey image the OCR code reads. */
export async function greyOf(png: Buffer): Promise<GreyImage> {
  const img = await loadImage(png);
  const ctx = createCanvas(img.width, img.height).getContext('2d');
  ctx.drawImage(img, 0, 0);
  return greyFromRgba(ctx.getImageData(0, 0, img.width, img.height).data as unknown as Uint8Array, img.width, img.height);
}
