import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageResult } from '../../src/schemas/page-result.js';
import { skewedText, type SkewedText } from '../fixtures/drawn-pages.js';
import { PROSE_PAGE } from '../fixtures/prose-page.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../helpers/test-server.js';

/*
 * A page scanned 3° crooked, through the service with real OCR: the page is read straightened
 * (its JSON says by how much, and its word boxes are those of the straight page), and the
 * searchable PDF keeps the crooked scan with each invisible word over the word as scanned.
 */

const DPI = 150;
const SKEW = 3;
/** Lines far from the page's centre, where a layer left unturned would be off by 15–25 pt. */
const LINES = [0, 1, 28, 29];
const firstWord = (line: number) => PROSE_PAGE[line]!.split(' ')[0]!;

let t: TestServer;
let page: SkewedText;
let id: string;
let result: PageResult;
beforeAll(async () => {
  t = await startTestServer({ RENDER_DPI: DPI });
  page = skewedText(SKEW);
  const { status, body } = await submitFile(t.app, 'crooked.png', page.png, { formats: 'json,pdf' });
  expect(status).toBe(200);
  id = body.conversion_id;
  expect((await waitForEnd(t.app, id)).status).toBe('completed');
  result = (await t.app.inject({ url: `/conversions/${id}/result?format=json` })).json().pages[0];
});
afterAll(async () => t?.close());

/** The first word of line `line` as the OCR read it (the line whose first word it is, by position). */
function readWord(line: number) {
  const [, y] = page.lineStart(line).straight;
  const words = result.blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
  return words.find((w) => w.text === firstWord(line) && Math.abs(w.bbox[3] - y) < 20);
}

describe('a crooked scan', () => {
  it('is read straightened: the page says by how much, and its words lie on the straight lines', () => {
    expect(result.skew).toBeGreaterThan(SKEW - 0.15);
    expect(result.skew).toBeLessThan(SKEW + 0.15);
    for (const line of LINES) {
      const word = readWord(line);
      expect(word, `line ${line}`).toBeDefined();
      const [x] = page.lineStart(line).straight;
      expect(Math.abs(word!.bbox[0] - x)).toBeLessThan(6);
    }
  });

  it('has its searchable PDF\'s invisible words over the words as scanned', async () => {
    const pdf = (await t.app.inject({ url: `/conversions/${id}/result?format=pdf` })).rawPayload;
    const doc = await getDocument({ data: new Uint8Array(pdf), isEvalSupported: false, verbosity: 0 }).promise;
    const pdfPage = await doc.getPage(1);
    const viewport = pdfPage.getViewport({ scale: 1 });
    const items = (await pdfPage.getTextContent()).items.filter((i) => 'str' in i) as { str: string; transform: number[] }[];
    for (const line of LINES) {
      const [sx, sy] = page.lineStart(line).leaning.map((v) => (v * 72) / DPI) as [number, number];
      // The nearest copy of the word (it recurs on other lines) starts where the scan's line does.
      const starts = items.filter((i) => i.str.trim() === firstWord(line))
        .map((i) => viewport.convertToViewportPoint(i.transform[4]!, i.transform[5]!) as [number, number]);
      const off = Math.min(...starts.map(([x, y]) => Math.hypot(x - sx, y - sy)));
      expect(off, `line ${line}: ${firstWord(line)}`).toBeLessThan(5);
    }
    await doc.destroy();
  });
});
