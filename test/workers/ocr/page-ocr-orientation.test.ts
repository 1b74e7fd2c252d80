import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PageTask } from '../../../src/schemas/page-result.js';
import { rotateGrey, type GreyImage } from '../../../workers/raster/grey-image.js';
import { scannedPng } from '../../fixtures/pdf-fixtures.js';
import { PROSE_PAGE } from '../../fixtures/prose-page.js';
import { greyOf } from '../../helpers/grey-of.js';

/**
 * The order of the orientation work, with the engine replaced by a recorder: which image each
 * reading got, and when orientation detection ran. The engines themselves are tested end to end
 * in test/outputs/ocr-engines.test.ts.
 */
const calls: string[] = [];
let confidences: number[] = [];
/** What the stand-in OSD answers: a clockwise turn, or null when unsure. */
let osdTurn: number | null = 0;

/** The size of the image an engine is handed: a PBM says it in its header, a TIFF in its first two fields. */
const imageSize = (image: Buffer) => (image.toString('latin1', 0, 2) === 'II'
  ? `${image.readUInt32LE(18)}x${image.readUInt32LE(30)}`
  : /^P4\s+(\d+)\s+(\d+)/.exec(image.toString('latin1', 0, 32))!.slice(1, 3).join('x'));

vi.mock('../../../workers/ocr/ocr-engine.js', () => ({
  recognize: async (req: { image: Buffer }) => {
    calls.push(`read ${imageSize(req.image)}`);
    return { text: 'words', confidence: confidences.shift() ?? 90, blocks: [] };
  },
  detectRotation: async () => {
    calls.push('osd');
    return osdTurn;
  },
}));

const { ocrPageImage } = await import('../../../workers/ocr/page-ocr.js');

const task = {
  ocr_engine: 'wasm', detect_orientation: true, prompt_mode: 'prompt_ocr', text_layer_pdf: false,
  lang: 'eng', tessdata_dir: '', tessdata_gzip: true, ocr_recycle_pages: 100, native_tessdata_dir: '',
} as unknown as PageTask;
/** A language outside the Latin script: the ink does not say which way is up, OSD does. */
const russian = { ...task, lang: 'rus' } as PageTask;

let upright: GreyImage;
let sideways: GreyImage;
const size = (img: GreyImage) => `${img.width}x${img.height}`;

beforeAll(async () => {
  upright = await greyOf(await scannedPng(PROSE_PAGE));
  sideways = rotateGrey(upright, 90);
});
beforeEach(() => {
  calls.length = 0;
  confidences = [];
  osdTurn = 0;
});

describe('orientation around the reading', () => {
  it('reads an upright page once, without orientation detection', async () => {
    const page = await ocrPageImage(upright, 150, task);
    expect(calls).toEqual([`read ${size(upright)}`]);
    expect(page.rotation).toBe(0);
  });

  it('turns a Latin-script page that lies on its side or upside down by its ink, before its one reading, without OSD', async () => {
    osdTurn = 90; // wrong on purpose: it must not be asked
    const page = await ocrPageImage(sideways, 150, task);
    expect(calls).toEqual([`read ${size(upright)}`]);
    expect([page.rotation, page.width, page.height]).toEqual([270, upright.width, upright.height]);
    calls.length = 0;
    expect((await ocrPageImage(rotateGrey(upright, 180), 150, task)).rotation).toBe(180);
    expect(calls).toEqual([`read ${size(upright)}`]);
  });

  it('asks OSD when the reading after the ink\'s turn is unsure, and keeps the better reading', async () => {
    osdTurn = 0;
    confidences = [40, 60];
    const page = await ocrPageImage(sideways, 150, task);
    expect(calls).toEqual([`read ${size(upright)}`, 'osd', `read ${size(sideways)}`]);
    expect([page.rotation, page.width, page.height]).toEqual([0, sideways.width, sideways.height]);
  });

  it('keeps the reading after the ink\'s turn when OSD, asked after it, agrees or is unsure', async () => {
    for (const answer of [270, null]) {
      calls.length = 0;
      osdTurn = answer;
      confidences = [40];
      const page = await ocrPageImage(sideways, 150, task);
      expect(calls, `OSD ${answer}`).toEqual([`read ${size(upright)}`, 'osd']);
      expect(page.rotation).toBe(270);
    }
  });

  it('turns a page of another script by OSD before its one reading', async () => {
    osdTurn = 270;
    const page = await ocrPageImage(sideways, 150, russian);
    expect(calls).toEqual(['osd', `read ${size(upright)}`]);
    expect([page.rotation, page.width, page.height]).toEqual([270, upright.width, upright.height]);
  });

  it('reads the page as scanned too when the reading after OSD\'s turn stays unsure, and keeps the better', async () => {
    osdTurn = 270;
    confidences = [40, 60];
    const page = await ocrPageImage(sideways, 150, russian);
    expect(calls).toEqual(['osd', `read ${size(upright)}`, `read ${size(sideways)}`]);
    expect([page.rotation, page.width, page.height]).toEqual([0, sideways.width, sideways.height]);
  });

  it('asks orientation detection once: a sideways page it finds upright is read as it is', async () => {
    confidences = [40];
    const page = await ocrPageImage(sideways, 150, russian);
    expect(calls).toEqual(['osd', `read ${size(sideways)}`]);
    expect(page.rotation).toBe(0);
  });

  it('still turns an unsure page the ink did not flag, after its first reading', async () => {
    osdTurn = 180;
    confidences = [40, 90];
    const page = await ocrPageImage(upright, 150, task);
    expect(calls).toEqual([`read ${size(upright)}`, 'osd', `read ${size(upright)}`]);
    expect(page.rotation).toBe(180);
  });
});
