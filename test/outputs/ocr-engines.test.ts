import { createCanvas, loadImage } from '@napi-rs/canvas';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageResult } from '../../src/schemas/page-result.js';
import { nativeTesseractVersion } from '../../src/languages/ocr-engine-choice.js';
import { scannedPdf, scannedPng } from '../fixtures/pdf-fixtures.js';
import { PROSE_PAGE } from '../fixtures/prose-page.js';
import { cer } from '../../bench/cer.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../helpers/test-server.js';

/** CI installs Debian's tesseract-ocr, so both run there; without the binary only tesseract.js can. */
const hasNative = (await nativeTesseractVersion()) !== null;

const LINES = ['Lighthouse keepers log', 'Storm warning issued at noon', 'All vessels return to harbour'];
const UPSIDE_DOWN = [
  'Orientation detection reads this page', 'after the scanner turned it on its side', 'so every line runs up the sheet',
  'and the words must be read the right way', 'before the text can be trusted at all', 'which is why the engine asks twice',
];

/** The picture turned by `degrees` clockwise (90, 180, 270), as a sheet fed the wrong way into a scanner. */
async function turned(png: Buffer, degrees: number): Promise<Buffer> {
  const img = await loadImage(png);
  const quarter = degrees % 180 !== 0;
  const canvas = createCanvas(quarter ? img.height : img.width, quarter ? img.width : img.height);
  const ctx = canvas.getContext('2d');
  ctx.translate(canvas.width / 2, canvas.height / 2);
  ctx.rotate((degrees * Math.PI) / 180);
  ctx.drawImage(img, -img.width / 2, -img.height / 2);
  return canvas.encode('png');
}

describe.each(['wasm', 'native'] as const)('OCR engine %s', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    if (engine === 'native' && !hasNative) return;
    t = await startTestServer({ OCR_ENGINE: engine });
  });
  afterAll(async () => t?.close());

  const result = (id: string, format: string) => t.app.inject({ url: `/conversions/${id}/result?format=${format}` });
  async function convert(name: string, data: Buffer, fields: Record<string, string> = {}) {
    const { body } = await submitFile(t.app, name, data, fields);
    const rec = await waitForEnd(t.app, body.conversion_id);
    expect(rec.status).toBe('completed');
    return body.conversion_id as string;
  }

  it.runIf(engine === 'wasm' || hasNative)('serves pages with the engine asked for and says so', async () => {
    expect((await t.app.inject({ url: '/worker-pool-status' })).json().ocr_engine).toBe(engine);
    const langs = (await t.app.inject({ url: '/languages' })).json();
    expect(langs.engine).toBe(engine);
    expect(langs.engines.eng).toContain(engine);
  });

  it.runIf(engine === 'wasm' || hasNative)('reads a scan into words with boxes and confidences, in every format', async () => {
    const id = await convert('log.pdf', await scannedPdf([LINES]), { formats: 'json,txt,hocr,alto,pdf' });
    const page = (await result(id, 'json')).json().pages[0] as PageResult;
    expect(page.source).toBe('ocr');
    expect(cer(page.text, LINES.join('\n'))).toBeLessThan(0.05);
    const words = page.blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
    const storm = words.find((w) => w.text === 'Storm')!;
    expect(storm.confidence).toBeGreaterThan(50);
    expect(storm.bbox[0]).toBeLessThan(storm.bbox[2]);
    expect(storm.bbox[3]).toBeLessThanOrEqual(page.height);
    expect(page.confidence).toBeGreaterThan(50);
    expect((await result(id, 'hocr')).body).toMatch(/class="ocrx_word"[^>]*>Storm</);
    expect((await result(id, 'alto')).body).toContain('CONTENT="Storm"');

    const pdf = await getDocument({ data: new Uint8Array((await result(id, 'pdf')).rawPayload), isEvalSupported: false, verbosity: 0 }).promise;
    const pdfPage = await pdf.getPage(1);
    const items = (await pdfPage.getTextContent()).items.filter((i) => 'str' in i) as { str: string; transform: number[] }[];
    const item = items.find((i) => i.str.includes('Storm'))!;
    expect(item).toBeTruthy();
    const [x, y] = pdfPage.getViewport({ scale: 1 }).convertToViewportPoint(item.transform[4]!, item.transform[5]!);
    expect(Math.abs(x! - (storm.bbox[0] * 72) / page.dpi)).toBeLessThan(15);
    expect(Math.abs(y! - (storm.bbox[3] * 72) / page.dpi)).toBeLessThan(15);
  });

  it.runIf(engine === 'wasm' || hasNative)('reads an image upload, and pages scanned upside down or on their side the right way up', async () => {
    const png = await convert('note.png', await scannedPng(['Meet at the old mill at dawn']), { formats: 'txt' });
    expect((await result(png, 'txt')).body).toContain('mill');
    for (const [degrees, turn] of [[180, 180], [270, 90]]) {
      const id = await convert(`turned-${degrees}.png`, await turned(await scannedPng(UPSIDE_DOWN), degrees!), { formats: 'json' });
      const page = (await result(id, 'json')).json().pages[0] as PageResult;
      expect(page.rotation, `scanned turned ${degrees}°`).toBe(turn);
      expect(cer(page.text, UPSIDE_DOWN.join('\n'))).toBeLessThan(0.1);
    }
  });

  it.runIf(engine === 'wasm' || hasNative)('turns a full page scanned on its side or upside down before reading it', async () => {
    const png = await scannedPng(PROSE_PAGE);
    for (const [degrees, turn] of [[90, 270], [180, 180]]) {
      const id = await convert(`full-${degrees}.png`, await turned(png, degrees!), { formats: 'json' });
      const page = (await result(id, 'json')).json().pages[0] as PageResult;
      expect(page.rotation, `scanned turned ${degrees}°`).toBe(turn);
      expect(page.width, 'boxes are on the upright page').toBeLessThan(page.height);
      expect(cer(page.text, PROSE_PAGE.join('\n'))).toBeLessThan(0.05);
    }
  });
});
