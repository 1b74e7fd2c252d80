import fs from 'node:fs/promises';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { concatTransformationMatrix, degrees, PDFDocument, popGraphicsState, pushGraphicsState, type PDFPage } from 'pdf-lib';
import UTIF from 'utif2';
import type { SearchablePdfResult, SearchablePdfTask } from '../../src/schemas/page-result.js';
import { TaskFailure } from '../task-errors.js';
import { makePdfA } from './pdfa.js';

/*
 * The searchable PDF: the original pages kept as they are, with tesseract's invisible text page
 * (GlyphLessFont, one glyph per character at the word's position) drawn over every OCR'd page, so
 * selecting and searching land on the right words. Born-digital pages already have their text and
 * are left alone; an image becomes a page of its own. With `pdfa`, the file is made PDF/A-2b
 * (pdfa.ts); born-digital pages are kept as they are there too, as OCRmyPDF keeps them, and what
 * on them may not conform (fonts not embedded) is reported.
 */


async function loadLayer(out: PDFDocument, file: string) {
  const layerDoc = await PDFDocument.load(await fs.readFile(file));
  return out.embedPage(layerDoc.getPage(0));
}

/**
 * Draws a layer made from the page as displayed (turned `turn` degrees clockwise from the page's
 * own coordinates) back onto the page: the layer is rotated counter-clockwise by the same angle
 * and anchored at the corner of the crop box that the turn brought to the display's origin.
 * A page straightened by `skew` degrees (clockwise, about its centre, the same size; see
 * workers/raster/deskew.ts) had its layer read from the straightened image: the layer is turned
 * back counter-clockwise by `skew` about the crop box's centre, so each invisible word lies over
 * its word as scanned. Turns about the centre commute with the page's quarter turns, so the one
 * rotation serves whatever the page's /Rotate.
 */
async function overlay(out: PDFDocument, page: PDFPage, layerFile: string, turn: number, skew: number): Promise<void> {
  const layer = await loadLayer(out, layerFile);
  const { x, y, width: w, height: h } = page.getCropBox();
  const t = ((turn % 360) + 360) % 360;
  const at = { 0: { x, y }, 90: { x: x + w, y }, 180: { x: x + w, y: y + h }, 270: { x, y: y + h } }[t as 0 | 90 | 180 | 270];
  const sideways = t === 90 || t === 270;
  if (skew) {
    // PDF space has y up: a positive angle turns counter-clockwise as seen.
    const a = (skew * Math.PI) / 180;
    const [cos, sin] = [Math.cos(a), Math.sin(a)];
    const [cx, cy] = [x + w / 2, y + h / 2];
    page.pushOperators(pushGraphicsState(), concatTransformationMatrix(cos, sin, -sin, cos, cx - cos * cx + sin * cy, cy - sin * cx - cos * cy));
  }
  page.drawPage(layer, { ...at, width: sideways ? h : w, height: sideways ? w : h, rotate: degrees(t) });
  if (skew) page.pushOperators(popGraphicsState());
}

async function imageAsPng(bytes: Buffer): Promise<Buffer> {
  if (bytes.subarray(0, 4).toString('latin1') === 'II*\0' || bytes.subarray(0, 4).toString('latin1') === 'MM\0*') {
    const ifd = UTIF.decode(bytes)[0]!;
    UTIF.decodeImage(bytes, ifd);
    const canvas = createCanvas(ifd.width, ifd.height);
    const ctx = canvas.getContext('2d');
    const data = ctx.createImageData(ifd.width, ifd.height);
    data.data.set(UTIF.toRGBA8(ifd));
    ctx.putImageData(data, 0, 0);
    return canvas.encode('png');
  }
  const img = await loadImage(bytes);
  const canvas = createCanvas(img.width, img.height);
  canvas.getContext('2d').drawImage(img, 0, 0);
  return canvas.encode('png');
}

async function imageDocument(task: SearchablePdfTask): Promise<PDFDocument> {
  const out = await PDFDocument.create();
  out.setCreator('pagemill');
  const bytes = await fs.readFile(task.source_path);
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  const isPng = bytes[0] === 0x89 && bytes.subarray(1, 4).toString('latin1') === 'PNG';
  const image = isJpeg ? await out.embedJpg(bytes) : await out.embedPng(isPng ? bytes : await imageAsPng(bytes));
  const layer = task.layers[0];
  const dpi = layer?.dpi ?? 300;
  const page = out.addPage([(image.width * 72) / dpi, (image.height * 72) / dpi]);
  page.drawImage(image, { x: 0, y: 0, width: page.getWidth(), height: page.getHeight() });
  if (layer) await overlay(out, page, layer.layer_path, layer.rotation, layer.skew ?? 0);
  return out;
}

export async function buildSearchablePdf(task: SearchablePdfTask): Promise<SearchablePdfResult> {
  let out: PDFDocument;
  if (task.kind === 'image') {
    out = await imageDocument(task);
  } else {
    try {
      out = await PDFDocument.load(await fs.readFile(task.source_path), { updateMetadata: false });
    } catch (err) {
      throw new TaskFailure('render_failed', `The searchable PDF could not be built: the original could not be rewritten (${(err as Error).message.slice(0, 200)}).`);
    }
    const pages = out.getPages();
    for (const layer of task.layers) {
      const page = pages[layer.page_no - 1];
      if (page) await overlay(out, page, layer.layer_path, page.getRotation().angle + layer.rotation, layer.skew ?? 0);
    }
  }
  const problems = task.pdfa ? makePdfA(out, { ...task.pdfa, now: new Date() }) : undefined;
  const bytes = await out.save();
  const tmp = `${task.out_path}.tmp`;
  await fs.writeFile(tmp, bytes);
  await fs.rename(tmp, task.out_path);
  return { pages: out.getPageCount(), ...(problems?.length ? { pdfa_problems: problems } : {}) };
}
