import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Block, PageTask } from '../../src/schemas/page-result.js';
import type { Ruling, TablePage } from '../../workers/layout/tables/table-blocks.js';
import { measureSkew } from '../../workers/raster/deskew.js';
import type { GreyImage } from '../../workers/raster/grey-image.js';
import { ruledGrid, skewedText } from '../fixtures/drawn-pages.js';

/**
 * Where deskew and the scan's rulings sit in reading a page, with the engine and the table finder
 * replaced by recorders: what image the engine was handed, and what the table finder was given.
 * The real engine on a crooked page: deskew-searchable-pdf.test.ts.
 */
const handed: GreyImage[] = [];
const tableCalls: { rulings: Ruling[]; page: TablePage }[] = [];

/** The grey TIFF page-ocr hands the engine (toGreyTiff: pixels after the 9 fields), as an image. */
const TIFF_PIXELS_AT = 8 + 2 + 9 * 12 + 4;
const fromTiff = (image: Buffer): GreyImage => {
  const [width, height] = [image.readUInt32LE(18), image.readUInt32LE(30)];
  return { width, height, data: new Uint8Array(image.subarray(TIFF_PIXELS_AT, TIFF_PIXELS_AT + width * height)) };
};

/** One tesseract-like line of words 30 px high, so the page's type size is 30 px. */
const box = (x0: number, y0: number, x1: number, y1: number) => ({ x0, y0, x1, y1 });
const oneLine = {
  blocktype: 1, bbox: box(100, 100, 600, 130),
  paragraphs: [{
    bbox: box(100, 100, 600, 130), confidence: 90,
    lines: [{ bbox: box(100, 100, 600, 130), confidence: 90, words: [{ text: 'Tidy', bbox: box(100, 100, 180, 130), confidence: 90 }] }],
  }],
};

vi.mock('../../workers/ocr/ocr-engine.js', () => ({
  recognize: async (req: { image: Buffer }) => {
    handed.push(fromTiff(req.image));
    return { text: 'Tidy', confidence: 90, blocks: [oneLine] };
  },
  detectRotation: async () => 0,
}));
vi.mock('../../workers/layout/tables/table-blocks.js', () => ({
  tableBlocks: (blocks: Block[], rulings: Ruling[], page: TablePage) => {
    tableCalls.push({ rulings, page });
    return blocks;
  },
}));

const { ocrPageImage } = await import('../../workers/ocr/page-ocr.js');

const task = {
  ocr_engine: 'wasm', detect_orientation: false, deskew: true, prompt_mode: 'prompt_ocr', text_layer_pdf: false,
  lang: 'eng', tessdata_dir: '', tessdata_gzip: true, ocr_recycle_pages: 100, native_tessdata_dir: '',
} as unknown as PageTask;

beforeEach(() => {
  handed.length = 0;
  tableCalls.length = 0;
});

describe('ocrPageImage', () => {
  it('reads a crooked page straightened and says by how much', async () => {
    const outcome = await ocrPageImage(skewedText(-2.5).grey, 150, task);
    expect(outcome.skew).toBeCloseTo(-2.5, 0);
    expect(Math.abs(measureSkew(handed[0]!).angle)).toBeLessThanOrEqual(0.1);
  });

  it('reads it as scanned with DESKEW off', async () => {
    const outcome = await ocrPageImage(skewedText(-2.5).grey, 150, { ...task, deskew: false });
    expect(outcome.skew).toBe(0);
    expect(measureSkew(handed[0]!).angle).toBeCloseTo(-2.5, 0);
  });

  it('hands the table finder the page\'s rules and its type size from the words read', async () => {
    const { grey } = ruledGrid({ rows: 3, cols: 3, cellWidth: 200, cellHeight: 50 });
    await ocrPageImage(grey, 150, task);
    expect(tableCalls).toHaveLength(1);
    const { rulings, page } = tableCalls[0]!;
    expect(page).toEqual({ width: grey.width, height: grey.height, typeSize: expect.any(Number) });
    expect(page.typeSize).toBeGreaterThan(25);
    expect(page.typeSize).toBeLessThan(60);
    expect(rulings).toHaveLength(8);
  });
});
