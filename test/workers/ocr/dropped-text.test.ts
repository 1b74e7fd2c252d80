import Tesseract from 'tesseract.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDroppedText } from '../../../workers/ocr/dropped-text.js';
import { pageFromTsv } from '../../../workers/ocr/tesseract-tsv.js';
import { strayInkRegions } from '../../../workers/raster/stray-ink.js';
import type { GreyImage } from '../../../workers/raster/grey-image.js';
import { numberedMarginPng } from '../../fixtures/dropped-text-page.js';
import { greyOf } from '../../helpers/grey-of.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../../helpers/test-server.js';

type Box = { x0: number; y0: number; x1: number; y1: number };
const HEADER = 'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext';

/** A TSV reading with one line per box, each line one word of `text` at `confidence`. */
function reading(lines: Array<{ box: Box; text: string; confidence: number }>): Tesseract.Page {
  const rows = [HEADER, '2\t1\t1\t0\t0\t0\t0\t0\t10\t10\t-1\t', '3\t1\t1\t1\t0\t0\t0\t0\t10\t10\t-1\t'];
  lines.forEach(({ box, text, confidence }, i) => {
    const geometry = `${Math.round(box.x0)}\t${Math.round(box.y0)}\t${Math.round(box.x1 - box.x0)}\t${Math.round(box.y1 - box.y0)}`;
    rows.push(`4\t1\t1\t1\t${i + 1}\t0\t${geometry}\t-1\t`, `5\t1\t1\t1\t${i + 1}\t1\t${geometry}\t${confidence}\t${text}`);
  });
  return pageFromTsv(rows.join('\n'));
}

const allWords = (page: Tesseract.Page) => (page.blocks ?? []).flatMap((b) => b.paragraphs.flatMap((p) => p.lines.flatMap((l) => l.words)));

describe('ink left out of a reading', () => {
  let grey: GreyImage;
  const fixture = numberedMarginPng();
  beforeAll(async () => {
    grey = await greyOf(fixture.png);
  });

  it('is found where a narrow column of numbers was dropped, and nowhere else', () => {
    const regions = strayInkRegions(grey, fixture.testimony, 32);
    expect(regions).toHaveLength(1);
    const [r] = regions;
    // The numbers' column: 1-25 (41 digits), right-aligned at x = 250.
    expect(r!.glyphs).toBeGreaterThanOrEqual(35);
    expect(r!.x0).toBeGreaterThan(fixture.margin.x0 - 20);
    expect(r!.x1).toBeLessThan(fixture.margin.x1 + 10);
    expect(r!.y1 - r!.y0).toBeGreaterThan(0.9 * (fixture.margin.y1 - fixture.margin.y0));
  });

  it('is not found when the reading has every word', () => {
    expect(strayInkRegions(grey, [...fixture.testimony, fixture.margin], 32)).toEqual([]);
  });

  it('is read again as one block, without the words already read, and its words added in place', async () => {
    const first = reading(fixture.testimony.map((box) => ({ box, text: 'testimony', confidence: 95 })));
    const asked: Array<{ width: number; height: number; psm: Tesseract.PSM; inkInTestimony: boolean }> = [];
    const page = await withDroppedText(first, grey, async (img, psm) => {
      // The crop is of the margin: its left edge a little left of the numbers.
      asked.push({ width: img.width, height: img.height, psm, inkInTestimony: img.data.some((v, i) => v < 128 && i % img.width > 150) });
      return reading([{ box: { x0: 20, y0: 30, x1: 60, y1: 60 }, text: '1', confidence: 93 }]);
    });
    expect(asked).toHaveLength(1);
    expect(asked[0]!.psm).toBe(Tesseract.PSM.SINGLE_BLOCK);
    expect(asked[0]!.inkInTestimony).toBe(false);
    const added = allWords(page).find((w) => w.text === '1')!;
    expect(added.bbox.x0).toBeGreaterThan(fixture.margin.x0 - 40);
    expect(added.bbox.x1).toBeLessThan(fixture.margin.x1 + 40);
    expect(allWords(page)).toHaveLength(fixture.testimony.length + 1);
    expect(page.text).toContain('testimony');
  });

  it('keeps the first reading when the second is unsure (specks read as text)', async () => {
    const first = reading(fixture.testimony.map((box) => ({ box, text: 'testimony', confidence: 95 })));
    const page = await withDroppedText(first, grey, async () => reading([{ box: { x0: 0, y0: 0, x1: 30, y1: 30 }, text: 'ee', confidence: 30 }]));
    expect(page).toBe(first);
  });
});

/** The default engine (native when installed) at the default resolution, on the upload path users take. */
describe('a deposition page with its margin line numbers, uploaded', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ RENDER_DPI: 300 });
  });
  afterAll(async () => t?.close());

  // Automatic segmentation alone kept 2 of the 25 numbers (tesseract 5.3, best_int eng).
  it('reads the line numbers as well as the testimony', async () => {
    const { png, numbers, words } = numberedMarginPng();
    const { body } = await submitFile(t.app, 'deposition.png', png, { prompt_mode: 'prompt_ocr' });
    expect((await waitForEnd(t.app, body.conversion_id)).status).toBe('completed');
    const page = (await t.app.inject({ url: `/conversions/${body.conversion_id}/result?format=json` })).json().pages[0] as { text: string };
    const read = new Set(page.text.split(/\s+/));
    expect(numbers.filter((n) => read.has(n)).length).toBeGreaterThanOrEqual(22);
    const distinct = [...new Set(words)];
    expect(distinct.filter((w) => read.has(w)).length).toBeGreaterThanOrEqual(0.9 * distinct.length);
  });
});
