import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { downscaleGrey, greyFromPdfImage, greyFromRgba, rotateGrey, upscaleGrey, type GreyImage, type PdfImageData } from './grey-image.js';
import { findScan, type PageScan } from '../pdf/page-scan.js';
import { readsAsIs } from './readable-size.js';
import { collectPdfWarnings } from '../pdf/pdf-warnings.js';
import { renderSize, type RenderSize } from './render-budget.js';
import { TaskFailure } from '../task-errors.js';

/**
 * A scan at least this fine is read at its own resolution whatever its type size: tesseract wants
 * about 150 dpi, and just below counts as enough (the 147-dpi page of the bench's real set reads
 * as well at its own resolution as enlarged to 200 dpi, CER 0.0 % both, in 0.2 s less).
 */
const MIN_SCAN_DPI = 140;
/**
 * A scan coarser than MIN_SCAN_DPI whose type is small is read at its own resolution and enlarged
 * smoothly to this (at most the target dpi). Measured on generated 96-dpi palette scans of 5–7 pt
 * text with native tesseract: 200–250 dpi read best (6 pt: CER 0.8–2 %; 300 dpi 1–4 %; 150 dpi 6 %).
 */
const COARSE_SCAN_DPI = 200;

export interface CanvasFactory { create(w: number, h: number): unknown; destroy(c: unknown): void }

export async function renderGrey(page: PDFPageProxy, size: Pick<RenderSize, 'scale' | 'width' | 'height'>, canvasFactory: CanvasFactory): Promise<GreyImage> {
  const viewport = page.getViewport({ scale: size.scale });
  let target: { canvas: { data(): Buffer }; context: unknown };
  try {
    target = canvasFactory.create(size.width, size.height) as typeof target;
  } catch (err) {
    throw new TaskFailure('image_too_large', `A ${size.width}×${size.height} canvas could not be created: ${(err as Error).message}`);
  }
  try {
    await page.render({ canvas: target.canvas as never, viewport, background: '#ffffff' }).promise;
    return greyFromRgba(target.canvas.data(), size.width, size.height);
  } finally {
    canvasFactory.destroy(target);
  }
}

/**
 * The pixels of a page that is nothing but one image (see page-scan.ts), turned as the image is
 * drawn (`turn`, clockwise) and by the page's /Rotate, as a render would; null when pdf.js holds
 * the image in a form we do not read.
 */
export async function soleImageGrey(page: PDFPageProxy, id: string, turn = 0): Promise<GreyImage | null> {
  type Objs = { get(id: string, ready: (data: unknown) => void): void };
  const objs = (id.startsWith('g_') ? page.commonObjs : page.objs) as unknown as Objs;
  // Images are decoded apart from the operator list; the render waits for them the same way.
  const image = await new Promise<PdfImageData | null>((resolve) => objs.get(id, (data) => resolve(data as PdfImageData | null)));
  const grey = image ? greyFromPdfImage(image) : null;
  return grey && rotateGrey(grey, turn + page.rotate);
}

export interface OcrPixels {
  grey: GreyImage; dpi: number; warnings: string[]; rendered: boolean;
  /** The most pixels held at once on the way: the scan's decoded image or the render's canvas. */
  heldPixels: number;
}

/**
 * The grey image OCR reads for a page without a usable text layer. A scan is read at its own
 * resolution when that is lower than the target (never finer than the scan; one coarser than
 * MIN_SCAN_DPI is enlarged smoothly unless `byTypeSize` and its type is big enough, see
 * coarseScanPixels); anything else is rendered at the target. A scan that is its image alone,
 * read at its own resolution, is not rendered at all: its decoded pixels are the page (this saves
 * the render, ~100 ms of the ~600 a 200-dpi letter page takes in all). Pixels finer than needed
 * are reduced after, outside the pixel lane (see readable-size.ts).
 */
export async function ocrPixels(
  page: PDFPageProxy, target: RenderSize, maxMegapixels: number, canvasFactory: CanvasFactory, { byTypeSize = false } = {},
): Promise<OcrPixels> {
  const scan = await collectPdfWarnings(() => findScan(page));
  const scanDpi = scan.value?.dpi ?? null;
  if (scanDpi && scanDpi < MIN_SCAN_DPI) {
    return coarseScanPixels(page, scan.value!, target, maxMegapixels, canvasFactory, scan.warnings, byTypeSize);
  }
  const base = page.getViewport({ scale: 1 });
  const size = scanDpi && scanDpi < target.dpi
    ? renderSize(base.width, base.height, Math.round(scanDpi), maxMegapixels)
    : target;
  const asIs = scanDpi && scan.value?.soleImage && scanDpi <= target.dpi * 1.01 && !size.capped
    ? await soleImageGrey(page, scan.value.soleImage, scan.value.soleImageTurn)
    : null;
  const imagePixels = scan.value?.pixels ?? 0;
  if (asIs) return { grey: asIs, dpi: Math.round(scanDpi! * 10) / 10, warnings: scan.warnings, rendered: false, heldPixels: imagePixels };
  // A scan over the pixel budget, read as decoded and reduced: a render would first draw the
  // image into a canvas of its full size (9000×9000 RGBA is 324 MB) and then into the page's.
  const reduced = scan.value?.soleImage && size.capped ? await soleImageGrey(page, scan.value.soleImage, scan.value.soleImageTurn) : null;
  if (reduced) {
    return { grey: downscaleGrey(reduced, size.width, size.height), dpi: size.dpi, warnings: scan.warnings, rendered: false, heldPixels: imagePixels };
  }
  const rendered = await collectPdfWarnings(() => renderGrey(page, size, canvasFactory));
  const heldPixels = Math.max(imagePixels, size.width * size.height);
  return { grey: rendered.value, dpi: size.dpi, warnings: [...scan.warnings, ...rendered.warnings], rendered: true, heldPixels };
}


/**
 * A scan below MIN_SCAN_DPI: its pixels at its own resolution (the image as it is, or a render at
 * that resolution, where pdf.js draws the image 1:1), as they are when `byTypeSize` and its glyphs
 * are big enough to read, else enlarged bilinearly to COARSE_SCAN_DPI within the target dpi and
 * the pixel budget.
 */
async function coarseScanPixels(
  page: PDFPageProxy, scan: PageScan, target: RenderSize, maxMegapixels: number, canvasFactory: CanvasFactory, warnings: string[],
  byTypeSize: boolean,
): Promise<OcrPixels> {
  const scanDpi = scan.dpi;
  const base = page.getViewport({ scale: 1 });
  const own = renderSize(base.width, base.height, scanDpi, maxMegapixels);
  const asIs = scan.soleImage && !own.capped ? await soleImageGrey(page, scan.soleImage, scan.soleImageTurn) : null;
  const rendered = asIs ? null : await collectPdfWarnings(() => renderGrey(page, own, canvasFactory));
  const grey = asIs ?? rendered!.value;
  const allWarnings = [...warnings, ...(rendered?.warnings ?? [])];
  const heldPixels = Math.max(grey.width * grey.height, asIs ? 0 : own.width * own.height);
  const wanted = byTypeSize && readsAsIs(grey) ? 1 : Math.min(COARSE_SCAN_DPI, target.dpi) / scanDpi;
  const factor = Math.min(wanted, Math.sqrt((maxMegapixels * 1e6) / (grey.width * grey.height)));
  const readDpi = Math.round(scanDpi * Math.max(1, factor) * 10) / 10;
  if (factor <= 1.01) return { grey, dpi: Math.round(scanDpi * 10) / 10, warnings: allWarnings, rendered: !asIs, heldPixels };
  return { grey: upscaleGrey(grey, factor), dpi: readDpi, warnings: allWarnings, rendered: !asIs, heldPixels };
}
