import { createCanvas } from '@napi-rs/canvas';
import Tesseract from 'tesseract.js';
import type { Block, CellCategory, PageTask } from '../../src/schemas/page-result.js';
import { inkFraction, rotateGrey, shrinkGrey, toTesseractImage, withPngResolution, type GreyImage } from '../raster/grey-image.js';
import { detectRotation, recognize } from './ocr-engine.js';
import { detectRotationNative, recognizeNative } from './native-ocr.js';
import { betterReading } from './reading-choice.js';
import { doubtsTableDetection } from './table-doubt.js';
import { withDroppedText } from './dropped-text.js';
import { withJoinedWordsSplit } from './joined-words.js';
import { blocksFromLayout, blocksFromOcr, categorize, pageConfidence } from '../layout/page-layout.js';
import { inkOrientation } from '../raster/page-orientation.js';
import { scriptsOf } from '../../src/languages/language-scripts.js';
import { deskew } from '../raster/deskew.js';
import { findRulings } from '../raster/rulings.js';
import { tableBlocks } from '../layout/tables/table-blocks.js';
import { lineSize, median } from '../layout/text-geometry.js';

/** Below this share of dark pixels a page is blank: a scanner's empty back side, a separator sheet. */
const BLANK_INK = 0.0002;
/** A first reading this unsure may be of a page lying on its side: ask OSD, and read it again turned. */
const MISREAD_CONFIDENCE = 70;
export const PREVIEW_WIDTH = 1000;

export interface OcrOutcome {
  blocks: Block[];
  confidence: number;
  rotation: number;
  /** Degrees the page was straightened by after `rotation` (see PageResult.skew); 0 when it was not. */
  skew: number;
  blank: boolean;
  width: number;
  height: number;
  textLayerPdf?: Uint8Array;
  preview?: Uint8Array;
}

/**
 * OCR of one page image: blank check, orientation (from the ink before reading, or after an unsure
 * reading), skew, recognition, layout boxes, tables, preview. `typeDpi`: a second resolution to read
 * the page at, the better reading kept (an image's small type, see readable-size.ts).
 */
export async function ocrPageImage(scan: GreyImage, dpi: number, task: PageTask, typeDpi: number | null = null): Promise<OcrOutcome> {
  const layoutOnly = task.prompt_mode === 'prompt_layout_only_en';
  const preview = task.prompt_mode !== 'prompt_ocr';
  if (inkFraction(scan) < BLANK_INK) {
    return { blocks: [], confidence: 0, rotation: 0, skew: 0, blank: true, width: scan.width, height: scan.height, preview: preview ? await drawPreview(scan, []) : undefined };
  }
  const orient = task.detect_orientation && !layoutOnly;
  /** Orientation detection on a reduced copy: the clockwise turn that makes the page upright, or null when unsure. */
  const detectTurn = async () => {
    const small = shrinkGrey(scan, 1200);
    const smallDpi = dpi * (small.width / scan.width);
    return task.ocr_engine === 'native'
      ? detectRotationNative(toTesseractImage(small), smallDpi, task.native_tessdata_dir, task.task_id)
      : detectRotation(await greyPng(small, smallDpi), smallDpi, task.tessdata_dir, task.tessdata_gzip, task.ocr_recycle_pages);
  };
  // A Latin-script page whose ink leaves no doubt is turned without asking OSD (~0.45 s per page).
  const sign = orient ? inkOrientation(scan, scriptsOf(task.lang)?.join() === 'Latin') : { turned: false, turn: null };
  const firstTurn = sign.turned ? (sign.turn ?? (await detectTurn()) ?? 0) : 0;
  // Layout-only analysis (no recognition) exists in tesseract.js alone; it is cheap either way.
  const read = (img: GreyImage, psm?: Tesseract.PSM, atDpi = dpi, findTables = true, pdf = task.text_layer_pdf) => task.ocr_engine === 'native' && !layoutOnly
    ? recognizeNative({
      image: toTesseractImage(img), dpi: atDpi, lang: task.lang, tessdataDir: task.native_tessdata_dir, psm: psm ?? Tesseract.PSM.AUTO,
      pdf, taskId: task.task_id, findTables,
    })
    : recognize({
      image: toTesseractImage(img), dpi: atDpi, lang: task.lang, langPath: task.tessdata_dir, gzip: task.tessdata_gzip, recycleAfter: task.ocr_recycle_pages,
      layoutOnly, pdf, psm, findTables,
    });
  // Skew is measured on the page turned upright: its lines must run across the image.
  const upright = (turn: number) => {
    const turned = turn ? rotateGrey(scan, turn) : scan;
    return task.deskew ? deskew(turned) : { image: turned, skew: 0 };
  };
  let { image, skew } = upright(firstTurn);
  let rotation = firstTurn;
  let page = await read(image);
  let pageDpi = dpi;
  if (typeDpi && !layoutOnly) {
    const small = await read(image, undefined, typeDpi);
    if (betterReading(page, small) === small) [page, pageDpi] = [small, typeDpi];
  }
  // A table of figures tesseract's own table detection misread: read again without it (table-doubt.ts).
  if (!layoutOnly && doubtsTableDetection(page)) page = betterReading(page, await read(image, undefined, pageDpi, false));
  // Ink but no text found: text over a photo, white on black… read it again as sparse text.
  if (!layoutOnly && !page.text.trim()) page = await read(image, Tesseract.PSM.SPARSE_TEXT);
  if (orient && page.confidence < MISREAD_CONFIDENCE) {
    // Unsure after a turn OSD chose: the sheet as scanned may read better. Unsure after the ink's
    // turn, or unturned: OSD says how it lies (it may be on its side or upside down); when OSD is
    // unsure too, the one reading stands.
    const turn = sign.turned && sign.turn === null ? 0 : await detectTurn();
    if (turn !== null && turn !== firstTurn) {
      const other = upright(turn);
      const again = await read(other.image);
      if (again.confidence > page.confidence) {
        page = again;
        ({ image, skew } = other);
        rotation = turn;
      }
    }
  }
  // Text automatic segmentation dropped whole (margin line numbers, a table's column, type on a
  // grey fill): those regions read again (dropped-text.ts). Their words are not in tesseract's
  // text-layer PDF of the page, which is made by the first reading.
  if (!layoutOnly && page.text.trim()) page = await withDroppedText(page, image, (img, psm) => read(img, psm, pageDpi, true, false));
  // `13A` where `13 A` is printed: a space the engine dropped is still in the ink (joined-words.ts).
  if (!layoutOnly) page = withJoinedWordsSplit(page, image);
  const found = categorize(layoutOnly ? blocksFromLayout(page) : blocksFromOcr(page), image.height, 'ocr');
  // Layout-only analysis has no words to put in cells.
  const blocks = layoutOnly ? found : withScannedTables(found, image);
  return {
    blocks,
    confidence: layoutOnly ? 0 : pageConfidence(blocks),
    rotation,
    skew,
    blank: false,
    width: image.width,
    height: image.height,
    textLayerPdf: page.pdf ? Uint8Array.from(page.pdf) : undefined,
    preview: preview ? await drawPreview(image, blocks) : undefined,
  };
}

/**
 * The page's blocks with its ruled tables found: rules from the image, at lengths scaled to the
 * type size its words measure (the median line), handed with the words to the table finder.
 */
function withScannedTables(blocks: Block[], image: GreyImage): Block[] {
  const typeSize = median(blocks.flatMap((b) => b.lines.map((l) => lineSize(l, 'ocr'))));
  if (!typeSize) return blocks;
  const rulings = findRulings(image, typeSize);
  return tableBlocks(blocks, rulings, { width: image.width, height: image.height, typeSize });
}

const CATEGORY_COLOURS: Partial<Record<CellCategory, string>> = {
  Title: '#d62728', 'Section-header': '#ff7f0e', Table: '#2ca02c', Picture: '#9467bd', 'List-item': '#17becf',
  'Page-header': '#7f7f7f', 'Page-footer': '#7f7f7f', Caption: '#bcbd22',
};

function greyCanvas(img: GreyImage) {
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  const rgba = ctx.createImageData(img.width, img.height);
  // One 32-bit store per pixel: opaque grey (the byte order is the same in every channel but alpha).
  const pixels = new Uint32Array(rgba.data.buffer, rgba.data.byteOffset, img.width * img.height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (0xff000000 | (img.data[i]! * 0x010101)) >>> 0;
  ctx.putImageData(rgba, 0, 0);
  return { canvas, ctx };
}

/** A PNG that carries its resolution, for orientation detection. */
async function greyPng(img: GreyImage, dpi: number): Promise<Buffer> {
  return withPngResolution(await greyCanvas(img).canvas.encode('png'), dpi);
}

/** A reduced JPEG of the page with each block's box drawn in its category's colour. */
export async function drawPreview(grey: GreyImage, blocks: Block[]): Promise<Uint8Array> {
  const small = shrinkGrey(grey, PREVIEW_WIDTH);
  const f = small.width / grey.width;
  const { canvas, ctx } = greyCanvas(small);
  ctx.lineWidth = 2;
  for (const b of blocks) {
    ctx.strokeStyle = CATEGORY_COLOURS[b.category] ?? '#1f77b4';
    ctx.strokeRect(b.bbox[0] * f, b.bbox[1] * f, (b.bbox[2] - b.bbox[0]) * f, (b.bbox[3] - b.bbox[1]) * f);
  }
  // Encoded on this (pool) thread rather than libuv's shared threads, which the server's own
  // file and network work also waits on.
  return new Uint8Array(canvas.encodeSync('jpeg', 80));
}
