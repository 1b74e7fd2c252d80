import fs from 'node:fs/promises';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import UTIF from 'utif2';
import { loadImage, createCanvas } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageResult } from '../../src/schemas/page-result.js';
import { readFixture } from '../fixtures/files.js';
import { scannedPdf, scannedPng, textPdf } from '../fixtures/pdf-fixtures.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ RENDER_DPI: 150 });
});
afterAll(async () => t?.close());

const result = (id: string, format: string) => t.app.inject({ url: `/conversions/${id}/result?format=${format}` });
async function convert(name: string, data: Buffer, fields: Record<string, string> = {}) {
  const { status, body } = await submitFile(t.app, name, data, fields);
  expect(status, JSON.stringify(body)).toBe(200);
  const rec = await waitForEnd(t.app, body.conversion_id);
  return { id: body.conversion_id, rec };
}
const words = (pages: PageResult[]) => pages.flatMap((p) => p.blocks.flatMap((b) => b.lines.flatMap((l) => l.words.map((w) => ({ ...w, page: p })))));

describe('formats', () => {
  let scanId: string;
  let pages: PageResult[];
  beforeAll(async () => {
    const pdf = await scannedPdf([['Lighthouse keepers log', 'Storm warning issued at noon'], ['Second page mentions harbour fees']]);
    const { id, rec } = await convert('log.pdf', pdf, { formats: 'json,hocr,alto,pdf,txt' });
    expect(rec.status).toBe('completed');
    scanId = id;
    pages = (await result(id, 'json')).json().pages;
  });

  it.runIf(process.platform === 'linux')('recognizes on pool threads that yield to the HTTP thread', async () => {
    const threads = async () => new Map(await Promise.all((await fs.readdir('/proc/self/task')).map(async (tid) => {
      const stat = await fs.readFile(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return [Number(tid), { cpu: Number(fields[11]) + Number(fields[12]), nice: Number(fields[16]) }] as const;
    })));
    // made before the window: drawing the scan is the HTTP thread's work, not the conversion's
    const pdf = await scannedPdf([['Priority check', 'the quick brown fox jumps over the lazy dog']]);
    const before = await threads();
    await convert('again.pdf', pdf);
    const after = await threads();
    // the HTTP thread keeps the niceness it was started with (a test run under `nice` starts above 0)
    expect(after.get(process.pid)!.nice).toBe(before.get(process.pid)!.nice);
    expect(after.get(process.pid)!.nice).toBeLessThan(10);
    expect([...after.values()].filter((th) => th.nice === 10).length).toBeGreaterThanOrEqual(2);
    // The thread that worked hardest on the conversion (tesseract's, started by a pool thread) inherited the niceness.
    // The HTTP thread is left out: its polling CPU grows with the wall time a loaded machine takes.
    const busiest = [...after].filter(([tid]) => tid !== process.pid).reduce((a, b) => (b[1].cpu - (before.get(b[0])?.cpu ?? 0) > a[1].cpu - (before.get(a[0])?.cpu ?? 0) ? b : a));
    expect(busiest[1].nice).toBe(10);
  });

  it('hOCR is well-formed XHTML with one ocr_page per page and words with boxes inside the page', async () => {
    const res = await result(scanId, 'hocr');
    expect(res.headers['content-type']).toMatch(/xhtml/);
    expect(XMLValidator.validate(res.body)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(res.body);
    const pageDivs = [doc.html.body.div].flat();
    expect(pageDivs).toHaveLength(2);
    expect(pageDivs[0]['@_class']).toBe('ocr_page');
    const wordSpans = [...res.body.matchAll(/<span class="ocrx_word"[^>]*title="bbox (\d+) (\d+) (\d+) (\d+); x_wconf (\d+)">([^<]*)<\/span>/g)];
    const keeper = wordSpans.find((m) => m[6] === 'keepers');
    expect(keeper).toBeTruthy();
    const [x1, , x2, y2] = keeper!.slice(1, 5).map(Number);
    expect(x1).toBeLessThan(x2!);
    expect(y2).toBeLessThanOrEqual(pages[0]!.height);
    expect(x2).toBeLessThanOrEqual(pages[0]!.width);
  });

  it('ALTO v4 is well-formed with pages, blocks, lines and strings with coordinates and WC', async () => {
    const res = await result(scanId, 'alto');
    expect(XMLValidator.validate(res.body)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(res.body);
    expect(doc.alto['@_xmlns']).toBe('http://www.loc.gov/standards/alto/ns-v4#');
    expect([doc.alto.Layout.Page].flat()).toHaveLength(2);
    const harbour = [...res.body.matchAll(/<String [^>]*\/>/g)].map((m) => m[0]).find((s) => s.includes('CONTENT="harbour"'))!;
    expect(harbour).toBeTruthy();
    const attr = (name: string) => Number(new RegExp(`${name}="([\\d.]+)"`).exec(harbour)![1]);
    expect(attr('WC')).toBeGreaterThan(0.5);
    expect(attr('WC')).toBeLessThanOrEqual(1);
    expect(attr('HPOS') + attr('WIDTH')).toBeLessThanOrEqual(pages[1]!.width);
  });

  it('the searchable PDF keeps the pages and puts the words where they are on the page', async () => {
    const res = await result(scanId, 'pdf');
    expect(res.headers['content-type']).toBe('application/pdf');
    const doc = await getDocument({ data: new Uint8Array(res.rawPayload), isEvalSupported: false, verbosity: 0 }).promise;
    expect(doc.numPages).toBe(2);
    const page = await doc.getPage(1);
    const viewport = page.getViewport({ scale: 1 });
    const items = (await page.getTextContent()).items.filter((i) => 'str' in i) as { str: string; transform: number[] }[];
    const text = items.map((i) => i.str).join(' ');
    expect(text).toContain('Lighthouse');
    expect(text).toContain('Storm');
    // where the OCR saw the word, in points, vs where the PDF's text layer has it
    const ocrWord = words(pages).find((w) => w.text === 'Storm')!;
    const expectedX = (ocrWord.bbox[0] * 72) / ocrWord.page.dpi;
    const expectedY = (ocrWord.bbox[3] * 72) / ocrWord.page.dpi;
    const item = items.find((i) => i.str.includes('Storm'))!;
    const [x, y] = viewport.convertToViewportPoint(item.transform[4]!, item.transform[5]!);
    expect(Math.abs(x! - expectedX)).toBeLessThan(15);
    expect(Math.abs(y! - expectedY)).toBeLessThan(15);
  });

  it('says which formats a conversion did not produce', async () => {
    const res = await result(scanId, 'md');
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('format_not_produced');
    const bad = await submitFile(t.app, 'x.pdf', textPdf([['x']]), { formats: 'txt,docx' });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toContain('alto');
  });

  it('makes an image into a searchable PDF page', async () => {
    const { id } = await convert('note.png', await scannedPng(['Meet at the old mill']), { formats: 'pdf' });
    const doc = await getDocument({ data: new Uint8Array((await result(id, 'pdf')).rawPayload), isEvalSupported: false, verbosity: 0 }).promise;
    expect(doc.numPages).toBe(1);
    const text = (await (await doc.getPage(1)).getTextContent()).items.map((i) => ('str' in i ? i.str : '')).join(' ');
    expect(text).toContain('mill');
  });
});

describe('OCR that gets hard pages right', () => {
  it('keeps French accents with lang=fra, and lists the installed languages', async () => {
    const langs = (await t.app.inject({ url: '/languages' })).json();
    expect(langs.languages).toEqual(expect.arrayContaining(['eng', 'fra']));
    const { id, rec } = await convert('lettre.pdf', await scannedPdf([['Le château était très élégant', 'Où êtes-vous allé cet été']], 200), { lang: 'fra' });
    expect(rec.status).toBe('completed');
    const text = (await result(id, 'txt')).body;
    expect(text).toMatch(/château/);
    expect(text).toMatch(/élégant/);
    const unknown = await submitFile(t.app, 'x.pdf', textPdf([['x']]), { lang: 'klingon' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('unsupported_language');
    expect(unknown.body.detail).toContain('fra');
  });

  it('converts only the pages of a range, keeping their document page numbers', async () => {
    const pdf = textPdf(Array.from({ length: 10 }, (_, i) => [`Range page ${i + 1}`]));
    const { id, rec } = await convert('range.pdf', pdf, { pages: '2-3,7,9-' });
    expect(rec.total_pages).toBe(5);
    const pages: PageResult[] = (await result(id, 'json')).json().pages;
    expect(pages.map((p) => p.page_no)).toEqual([2, 3, 7, 9, 10]);
    expect(pages[2]!.text).toBe('Range page 7');
    expect((await submitFile(t.app, 'x.pdf', pdf, { pages: '3-1' })).body.code).toBe('invalid_page_range');
    const none = await convert('range.pdf', pdf, { pages: '50-' });
    expect(none.rec).toMatchObject({ status: 'error', error_code: 'no_pages_selected' });
  });

  it('layout-only mode returns boxes and no text, and a page image with the boxes', async () => {
    const { id, rec } = await convert('layout.pdf', await scannedPdf([['A heading here', 'Body text line one', 'Body text line two']]), { prompt_mode: 'prompt_layout_only_en' });
    expect(rec.status).toBe('completed');
    const pages: PageResult[] = (await result(id, 'json')).json().pages;
    expect(pages[0]!.blocks.length).toBeGreaterThan(0);
    expect(pages[0]!.blocks[0]!.bbox[2]).toBeGreaterThan(pages[0]!.blocks[0]!.bbox[0]);
    expect(pages[0]!.text).toBe('');
    const cells = JSON.parse(await fs.readFile(path.join(t.config.OUTPUT_DIR, rec.output_stem, `${rec.output_stem}_page_0.json`), 'utf8'));
    expect(cells[0]).not.toHaveProperty('text');
    await expect(fs.stat(path.join(t.config.OUTPUT_DIR, rec.output_stem, `${rec.output_stem}_page_0.md`))).rejects.toThrow();
    const img = await t.app.inject({ url: `/image/${rec.output_stem}?page_no=0` });
    expect(img.headers['content-type']).toBe('image/jpeg');
    expect((await loadImage(img.rawPayload)).width).toBeGreaterThan(100);
  });

  it('ocr_mode: auto uses a usable text layer, force OCRs it, skip-text keeps even a junk layer', async () => {
    const digital = textPdf([['Force me through OCR please']]);
    const jsonOf = async (id: string) => (await result(id, 'json')).json().pages[0] as PageResult;
    expect((await jsonOf((await convert('auto.pdf', digital)).id)).source).toBe('text-layer');
    const forced = await jsonOf((await convert('forced.pdf', digital, { ocr_mode: 'force' })).id);
    expect(forced.source).toBe('ocr');
    expect(forced.text).toContain('Force me');
    const junk = await readFixture('type3_font_nomapping.pdf');
    expect((await jsonOf((await convert('t3.pdf', junk)).id)).source).toBe('ocr');
    expect((await jsonOf((await convert('t3.pdf', junk, { ocr_mode: 'skip-text' })).id)).source).toBe('text-layer');
  });

  it('detects blank pages and does not OCR them', async () => {
    const { id } = await convert('blank.pdf', await readFixture('blank-stripped.pdf'));
    const page = (await result(id, 'json')).json().pages[0] as PageResult;
    expect(page).toMatchObject({ blank: true, text: '', source: 'ocr' });
  });

  it('reads a TIFF image', async () => {
    const png = await loadImage(await scannedPng(['Tagged image file format works']));
    const canvas = createCanvas(png.width, png.height);
    canvas.getContext('2d').drawImage(png, 0, 0);
    const tiff = Buffer.from(UTIF.encodeImage(new Uint8Array(canvas.data()), png.width, png.height));
    const { id, rec } = await convert('scan.tif', tiff);
    expect(rec.status).toBe('completed');
    expect((await result(id, 'txt')).body).toContain('Tagged');
  });
});
