import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageResult } from '../../src/schemas/page-result.js';
import { LEGEND, paletteScanPdf } from '../fixtures/palette-scan.js';
import { submitFile, startTestServer, waitForEnd, type TestServer } from '../helpers/test-server.js';

/**
 * A 96-dpi indexed-colour scan of a map legend in small type. pdf.js enlarges such an image by
 * repeating pixels; read that way the legend came back at CER 13 % (6 pt) and 53 % (5 pt). Read at
 * its own resolution and enlarged smoothly it reads at 1.3 % and 11.4 % (measured).
 */
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ NUM_WORKERS: 1, RENDER_DPI: 300 });
});
afterAll(async () => {
  await t?.close();
});


function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = cur;
  }
  return prev[b.length]!;
}

const words = (s: string) => s.split(/\s+/).filter(Boolean).join(' ');
const cer = (truth: string, got: string) => levenshtein(words(truth), words(got)) / words(truth).length;

describe('coarse palette scans', () => {
  it('reads a 96-dpi indexed-colour legend in 6 pt type (CER below 5 %)', async () => {
    const { body } = await submitFile(t.app, 'legend.pdf', await paletteScanPdf(LEGEND, { dpi: 96, fontPt: 6 }), { prompt_mode: 'prompt_ocr' });
    expect((await waitForEnd(t.app, body.conversion_id)).status).toBe('completed');
    const page = (await t.app.inject({ url: `/conversions/${body.conversion_id}/pages/1` })).json() as PageResult;
    expect(page.source).toBe('ocr');
    expect(cer(LEGEND.join('\n'), page.text)).toBeLessThan(0.05);
    expect(page.dpi).toBeGreaterThanOrEqual(200); // enlarged, not read at 96 or 150
  });

  it('reads the legend in 10 pt type as it is, at 96 dpi (CER below 5 %)', async () => {
    const { body } = await submitFile(t.app, 'legend.pdf', await paletteScanPdf(LEGEND, { dpi: 96, fontPt: 10 }), { prompt_mode: 'prompt_ocr' });
    expect((await waitForEnd(t.app, body.conversion_id)).status).toBe('completed');
    const page = (await t.app.inject({ url: `/conversions/${body.conversion_id}/pages/1` })).json() as PageResult;
    expect(cer(LEGEND.join('\n'), page.text)).toBeLessThan(0.05);
    expect(page.dpi).toBe(96); // glyphs of 8 px need no enlarging
  });
});
