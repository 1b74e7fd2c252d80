import fs from 'node:fs/promises';
import path from 'node:path';
import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downscaleGrey, type GreyImage } from '../../../workers/raster/grey-image.js';
import { findScan } from '../../../workers/pdf/page-scan.js';
import { ocrPixels, renderGrey, soleImageGrey, type CanvasFactory } from '../../../workers/raster/page-pixels.js';
import { renderSize } from '../../../workers/raster/render-budget.js';
import { fixturePath } from '../../fixtures/files.js';
import { LEGEND, paletteScanPdf } from '../../fixtures/palette-scan.js';
import { scannedPdf, type ScanPlacement } from '../../fixtures/pdf-fixtures.js';
import { ocrPixelsAt300, pdfPageOf } from '../../helpers/pdf-pixels.js';
import { tempDirs } from '../../helpers/temp-dirs.js';

/**
 * Reading a scan's decoded image instead of rendering the page must give OCR the same pixels the
 * render would have: same size, same orientation, same values (up to resampling noise).
 */
const temp = tempDirs('pagemill-pixels-');
let dir: string;
beforeAll(async () => {
  dir = await temp.make();
});
afterAll(() => temp.cleanup());

const LINES = [['Pixels straight from the scan', 'the quick brown fox jumps over the lazy dog']];

/** ocrPixels on page 1 of `pdf` with a 300-dpi target, type size deciding unless told not to. */
const readAt300 = (name: string, pdf: Buffer, byTypeSize = true) => ocrPixelsAt300(dir, name, pdf, byTypeSize);

async function generated(name: string, placement: ScanPlacement = {}): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, await scannedPdf(LINES, 200, { specksPerPage: 50 }, placement));
  return file;
}

/** Of the pixels dark in either image, the share dark in both (1 = the same ink in the same places). */
function inkOverlap(a: GreyImage, b: GreyImage): number {
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.data.length; i++) {
    const inA = a.data[i]! < 128;
    const inB = b.data[i]! < 128;
    if (inA || inB) either++;
    if (inA && inB) both++;
  }
  return either ? both / either : 0;
}

async function asIsAndRendered(page: PDFPageProxy, canvasFactory: CanvasFactory) {
  const scan = await findScan(page);
  expect(scan?.soleImage).toBeTruthy();
  const asIs = (await soleImageGrey(page, scan!.soleImage!, scan!.soleImageTurn))!;
  const base = page.getViewport({ scale: 1 });
  const rendered = await renderGrey(page, renderSize(base.width, base.height, scan!.dpi, 1000), canvasFactory);
  return { scan: scan!, asIs, rendered };
}

describe('a page that is one scanned image', () => {
  for (const rotate of [0, 90, 180, 270]) {
    it(`is read as its image, matching the render, with /Rotate ${rotate}`, async () => {
      const { page, canvasFactory } = await pdfPageOf(await generated(`scan-${rotate}.pdf`, { rotate }));
      const { scan, asIs, rendered } = await asIsAndRendered(page, canvasFactory);
      expect(scan.dpi).toBeCloseTo(200, 0);
      expect([asIs.width, asIs.height]).toEqual([rendered.width, rendered.height]);
      expect(asIs.width > asIs.height).toBe(rotate % 180 !== 0);
      expect(inkOverlap(asIs, rendered)).toBeGreaterThan(0.9);
    });
  }

  for (const [turn, rotate] of [[90, 0], [180, 0], [270, 0], [90, 90]] as const) {
    it(`is read as its image when the image is drawn turned ${turn}° (/Rotate ${rotate}), matching the render`, async () => {
      const { page, canvasFactory } = await pdfPageOf(await generated(`scan-turned-${turn}-${rotate}.pdf`, { turn, rotate }));
      const { scan, asIs, rendered } = await asIsAndRendered(page, canvasFactory);
      expect(scan.soleImageTurn).toBe(turn);
      expect(scan.dpi).toBeCloseTo(200, 0);
      expect([asIs.width, asIs.height]).toEqual([rendered.width, rendered.height]);
      expect(asIs.width > asIs.height).toBe((turn + rotate) % 180 !== 0);
      expect(inkOverlap(asIs, rendered)).toBeGreaterThan(0.9);
    });
  }

  it('is rendered when its image is drawn mirrored', async () => {
    // Each fills its page with square pixels: only the mirror makes it differ from its image.
    const mirrors: ScanPlacement[] = [{ matrix: '-612 0 0 792 612 0' }, { matrix: '612 0 0 -792 0 792' }, { matrix: '0 612 792 0 0 0', turn: 90 }];
    for (const [i, placement] of mirrors.entries()) {
      const mirror = placement.matrix!;
      const { page } = await pdfPageOf(await generated(`scan-mirror-${i}.pdf`, placement));
      expect((await findScan(page))?.soleImage, mirror).toBeNull();
    }
  });

  it('reads cardinal.pdf\'s pages, upright and drawn turned, as their images', async () => {
    for (const pageNo of [1, 2, 3, 4]) {
      const { page, canvasFactory } = await pdfPageOf(fixturePath('cardinal.pdf'), pageNo);
      const { scan, asIs, rendered } = await asIsAndRendered(page, canvasFactory);
      expect(scan.soleImageTurn, `page ${pageNo}`).toBe([0, 90, 180, 270][pageNo - 1]);
      expect([asIs.width, asIs.height], `page ${pageNo}`).toEqual([rendered.width, rendered.height]);
      expect(inkOverlap(asIs, rendered), `page ${pageNo}`).toBeGreaterThan(0.9);
    }
  });

  it('reads a scan from 140 dpi at its own resolution, without enlarging it', async () => {
    const file = path.join(dir, 'scan-145.pdf');
    await fs.writeFile(file, await scannedPdf(LINES, 145));
    const { page, canvasFactory } = await pdfPageOf(file);
    const base = page.getViewport({ scale: 1 });
    const read = await ocrPixels(page, renderSize(base.width, base.height, 300, 100), 100, canvasFactory);
    expect(read).toMatchObject({ rendered: false, dpi: 145 });
  });

  it('reads a coarser scan as it is when its type is big enough, enlarged to 200 dpi when it is small or when type size may not decide', async () => {
    const large = await readAt300('legend-96-10pt.pdf', await paletteScanPdf(LEGEND.slice(0, 3), { dpi: 96, fontPt: 10 }));
    expect(large).toMatchObject({ rendered: false, dpi: 96 });
    expect(large.grey.width).toBe(816);
    const small = await readAt300('legend-96-6pt.pdf', await paletteScanPdf(LEGEND.slice(0, 3), { dpi: 96, fontPt: 6 }));
    expect(small).toMatchObject({ rendered: false, dpi: 200 });
    expect(small.grey.width).toBe(Math.round(816 * 200 / 96));
    const notLatin = await readAt300('legend-96-10pt.pdf', await paletteScanPdf(LEGEND.slice(0, 3), { dpi: 96, fontPt: 10 }), false);
    expect(notLatin).toMatchObject({ rendered: false, dpi: 200 });
  });

  it('reads 1-bit CCITT scans and pages with a neutral graphics state the same way', async () => {
    for (const name of ['ccitt.pdf', 'cardinal.pdf']) {
      const { page, canvasFactory } = await pdfPageOf(fixturePath(name));
      const { asIs, rendered } = await asIsAndRendered(page, canvasFactory);
      expect([asIs.width, asIs.height], name).toEqual([rendered.width, rendered.height]);
      expect(inkOverlap(asIs, rendered), name).toBeGreaterThan(0.9);
    }
  });

  it('is rendered when its image is tilted, clipped or finer than the target', async () => {
    for (const name of ['skew.pdf', 'multipage-p1.pdf']) {
      const { page } = await pdfPageOf(fixturePath(name));
      expect((await findScan(page))?.soleImage, name).toBeNull();
    }
    const { page, canvasFactory } = await pdfPageOf(await generated('scan-fine.pdf'));
    const base = page.getViewport({ scale: 1 });
    const at = (dpi: number) => ocrPixels(page, renderSize(base.width, base.height, dpi, 100), 100, canvasFactory);
    const own = await at(300);
    expect(own).toMatchObject({ rendered: false, dpi: 200 });
    const coarser = await at(150);
    expect(coarser).toMatchObject({ rendered: true, dpi: 150 });
    expect(coarser.grey.width).toBe(Math.round(612 * 150 / 72));
  });
});

describe('clips and pixel budgets', () => {
  it('reads a scan wrapped in a page-sized clip as its image, but renders one whose clip hides part of it', async () => {
    const whole = await pdfPageOf(await generated('scan-clip-page.pdf', { clip: [0, 0, 612, 792] }));
    expect((await findScan(whole.page))?.soleImage).toBeTruthy();
    const { asIs, rendered } = await asIsAndRendered(whole.page, whole.canvasFactory);
    expect(inkOverlap(asIs, rendered)).toBeGreaterThan(0.9);
    // a redaction by clipping: the hidden half must never reach OCR
    const half = await pdfPageOf(await generated('scan-clip-half.pdf', { clip: [0, 396, 612, 396] }));
    expect((await findScan(half.page))?.soleImage).toBeNull();
  });

  it('reduces a scan above the pixel budget from its decoded image, without drawing it', async () => {
    const { page, canvasFactory } = await pdfPageOf(await generated('scan-over-budget.pdf'));
    const base = page.getViewport({ scale: 1 });
    const budget = renderSize(base.width, base.height, 300, 1); // 1 MP, below the scan's 3.7 MP
    const reduced = await ocrPixels(page, budget, 1, canvasFactory);
    expect(reduced).toMatchObject({ rendered: false, heldPixels: 1700 * 2200 });
    expect([reduced.grey.width, reduced.grey.height]).toEqual([budget.width, budget.height]);
    const drawn = await renderGrey(page, budget, canvasFactory);
    expect(inkOverlap(reduced.grey, drawn)).toBeGreaterThan(0.6);
  });
});

describe('downscaleGrey', () => {
  it('averages each output pixel over its source area', () => {
    const img = { width: 4, height: 2, data: Uint8Array.from([0, 0, 255, 255, 0, 100, 255, 255]) };
    expect(Array.from(downscaleGrey(img, 2, 1).data)).toEqual([25, 255]);
    expect(downscaleGrey(img, 4, 2)).toBe(img);
  });
});

