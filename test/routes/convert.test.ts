import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture, truncatedPdf } from '../fixtures/files.js';
import { scannedPdf, scannedPng, textPdf } from '../fixtures/pdf-fixtures.js';
import { fakeBackend } from '../fakes/fake-backend.js';
import { multipart, startTestServer, submitFile, waitForEnd, type TestServer } from '../helpers/test-server.js';

/** Routes, limits and the workflow: on the fake backend (every page reads "Page <n> text"). */
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({}, { fake: fakeBackend() });
});
afterAll(async () => {
  await t?.close();
});

/** What the pages read: a real pool, real pdf.js and OCR. */
describe('POST /convert — what the worker reads (real pool)', () => {
  let ocr: TestServer;
  beforeAll(async () => {
    ocr = await startTestServer();
  });
  afterAll(async () => {
    await ocr?.close();
  });

  it('OCRs an uploaded scan (linn.pdf) and serves the text', async () => {
    const { status, body } = await submitFile(ocr.app, 'linn.pdf', await readFixture('linn.pdf'));
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'accepted', filename: 'linn.pdf' });
    expect(typeof body.queue_size).toBe('number');
    expect(typeof body.active_tasks).toBe('number');
    const rec = await waitForEnd(ocr.app, body.conversion_id);
    expect(rec).toMatchObject({ status: 'completed', progress: 100, total_pages: 1, pages_completed: 1, error: null });
    expect(rec.started_at).not.toBeNull();
    expect(rec.completed_at).not.toBeNull();
    const txt = await ocr.app.inject({ url: `/conversions/${body.conversion_id}/result?format=txt` });
    expect(txt.statusCode).toBe(200);
    expect(txt.headers['content-type']).toMatch(/text\/plain/);
    expect(txt.body).toContain('LinnSequencer');
  });

  it('takes the text layer of a born-digital page instead of OCR', async () => {
    const pdf = textPdf([['Invoice 2024 for lighthouse maintenance'], ['Second page about harbour fees']]);
    const { body } = await submitFile(ocr.app, 'digital.pdf', pdf);
    const rec = await waitForEnd(ocr.app, body.conversion_id);
    expect(rec.status).toBe('completed');
    const json = (await ocr.app.inject({ url: `/conversions/${body.conversion_id}/result?format=json` })).json();
    expect(json.pages).toHaveLength(2);
    expect(json.pages.map((p: { source: string }) => p.source)).toEqual(['text-layer', 'text-layer']);
    expect(json.pages[0].text).toBe('Invoice 2024 for lighthouse maintenance');
    // pages → blocks → lines → words, each with a box inside the page and a confidence
    const word = json.pages[0].blocks[0].lines[0].words[0];
    expect(word.text).toBe('Invoice');
    expect(word.bbox[0]).toBeGreaterThan(100); // 72 pt margin at 150 dpi = 150 px
    expect(word.bbox[2]).toBeLessThan(json.pages[0].width);
    expect(word.confidence).toBe(100);
  });

  it('OCRs a generated scan and writes the seed per-page files and whole-document outputs', async () => {
    const pdf = await scannedPdf([['Quarterly harvest report', 'Pumpkins and turnips grew well'], ['Second page mentions elephants']]);
    const { body } = await submitFile(ocr.app, 'harvest report.pdf', pdf);
    const rec = await waitForEnd(ocr.app, body.conversion_id);
    expect(rec.status).toBe('completed');
    expect(rec.output_stem).toBe('harvest_report');
    const dir = path.join(ocr.config.OUTPUT_DIR, 'harvest_report');
    const cells = JSON.parse(await fs.readFile(path.join(dir, 'harvest_report_page_0.json'), 'utf8'));
    expect(cells[0]).toMatchObject({ category: expect.any(String), text: expect.stringContaining('harvest') });
    expect(cells[0].bbox).toHaveLength(4);
    expect(await fs.readFile(path.join(dir, 'harvest_report_page_1.md'), 'utf8')).toContain('elephants');
    expect(await fs.readFile(path.join(dir, 'harvest_report_page_1_nohf.md'), 'utf8')).toContain('elephants');
    const jsonl = (await fs.readFile(path.join(ocr.config.OUTPUT_DIR, 'harvest_report.jsonl'), 'utf8')).trim().split('\n');
    expect(jsonl).toHaveLength(2);
    expect(JSON.parse(jsonl[1]!)).toMatchObject({ page_no: 1, status: 'done', source: 'ocr' });
    const md = await ocr.app.inject({ url: `/conversions/${body.conversion_id}/result?format=md` });
    expect(md.body).toContain('Pumpkins');
    const page = (await ocr.app.inject({ url: `/conversions/${body.conversion_id}/pages/2` })).json();
    expect(page).toMatchObject({ status: 'done', page_no: 2, source: 'ocr' });
    expect(page.text).toContain('elephants');
  });

  it('converts an image upload (PNG) as a one-page document', async () => {
    const { body } = await submitFile(ocr.app, 'receipt.png', await scannedPng(['Invoice number 4711', 'Total due thirty euros']));
    const rec = await waitForEnd(ocr.app, body.conversion_id);
    expect(rec).toMatchObject({ status: 'completed', total_pages: 1 });
    const txt = await ocr.app.inject({ url: `/conversions/${body.conversion_id}/result?format=txt` });
    expect(txt.body).toContain('4711');
  });

  it('ends bad documents in `error` with a code, and the next conversion still works', async () => {
    const cases: [string, Buffer, string][] = [
      ['invalid.pdf', await readFixture('invalid.pdf'), 'invalid_pdf'],
      ['linn_trunc.pdf', await truncatedPdf(), 'invalid_pdf'],
      ['pr6531_1.pdf', await readFixture('pr6531_1.pdf'), 'password_required'],
    ];
    for (const [file, data, code] of cases) {
      const { status, body } = await submitFile(ocr.app, file, data);
      expect(status).toBe(200);
      const rec = await waitForEnd(ocr.app, body.conversion_id);
      expect(rec.status, file).toBe('error');
      expect(rec.error_code, file).toBe(code);
      expect(rec.error).toBeTruthy();
    }
    const { body } = await submitFile(ocr.app, 'after.pdf', textPdf([['Still alive after bad input']]));
    expect((await waitForEnd(ocr.app, body.conversion_id)).status).toBe('completed');
  });
});

describe('POST /convert — accepted work', () => {
  it('converts a file from input/ by name, sent as an urlencoded form', async () => {
    await fs.writeFile(path.join(t.config.INPUT_DIR, 'named.pdf'), textPdf([['Named input file works']]));
    const res = await t.app.inject({
      method: 'POST', url: '/convert', payload: 'filename=named.pdf&prompt_mode=prompt_ocr',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(200);
    const rec = await waitForEnd(t.app, res.json().conversion_id);
    expect(rec).toMatchObject({ status: 'completed', prompt_mode: 'prompt_ocr', filename: 'named.pdf' });
  });

  it('keeps two conversions of the same file name apart', async () => {
    const pdf = textPdf([['Same name twice']]);
    const a = await submitFile(t.app, 'twice.pdf', pdf);
    const b = await submitFile(t.app, 'twice.pdf', pdf);
    const [ra, rb] = await Promise.all([waitForEnd(t.app, a.body.conversion_id), waitForEnd(t.app, b.body.conversion_id)]);
    expect(ra.output_stem).not.toBe(rb.output_stem);
    for (const r of [ra, rb]) {
      // (the fake backend writes the page files of prompt_ocr: Markdown, no layout cells)
      await expect(fs.stat(path.join(t.config.OUTPUT_DIR, r.output_stem, `${r.output_stem}_page_0.md`))).resolves.toBeTruthy();
    }
  });
});

describe('POST /convert — the seed error cases', () => {
  const post = (payload: string) =>
    t.app.inject({ method: 'POST', url: '/convert', payload, headers: { 'content-type': 'application/x-www-form-urlencoded' } });

  it('answers 400 for an empty filename, 400 for path tricks, 404 for a missing file', async () => {
    const empty = await post('filename=');
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ code: 'empty_filename', detail: expect.any(String) });
    for (const name of ['../etc/passwd', 'a/b.pdf', 'a%5Cb.pdf', '..']) {
      const res = await post(`filename=${name}`);
      expect(res.statusCode, name).toBe(400);
      expect(res.json().code).toBe('invalid_filename');
    }
    const missing = await post('filename=nope.pdf');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('file_not_found');
  });

  it('answers 400 listing the valid prompt modes for an unknown one', async () => {
    await fs.writeFile(path.join(t.config.INPUT_DIR, 'ok.pdf'), textPdf([['x']]));
    const res = await post('filename=ok.pdf&prompt_mode=prompt_poetry');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalid_prompt_mode');
    expect(res.json().detail).toContain('prompt_layout_all_en');
  });

  it('refuses what is not a PDF or image by content, an empty file, and a form with no input', async () => {
    const html = await submitFile(t.app, 'page.pdf', Buffer.from('<html>not a pdf</html>'));
    expect(html.status).toBe(415);
    expect(html.body.code).toBe('unsupported_media_type');
    const empty = await submitFile(t.app, 'empty.pdf', Buffer.alloc(0));
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('empty_file');
    const none = await t.app.inject({ method: 'POST', url: '/convert', ...multipart(null, { prompt_mode: 'prompt_ocr' }) });
    expect(none.statusCode).toBe(400);
    expect(none.json().code).toBe('missing_input');
    // rejected uploads leave nothing behind
    expect((await fs.readdir(path.join(t.config.DATA_DIR, 'uploads'))).filter((f) => f.startsWith('tmp-'))).toEqual([]);
  });

  it('accepts a PNG named .pdf as the image it is', async () => {
    const { status, body } = await submitFile(t.app, 'png_named.pdf', await readFixture('crom.png'));
    expect(status).toBe(200);
    expect((await waitForEnd(t.app, body.conversion_id)).status).toBe('completed');
    // taken by its content: the pages are read as an image, not as a PDF
    expect(t.runtime.store.get(body.conversion_id)?.kind).toBe('image');
  });

  it('answers 404 with a code for unknown ids and routes', async () => {
    for (const url of ['/conversion-status/nope', '/conversions/nope', '/conversions/nope/pages/1', '/conversions/nope/result?format=txt']) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().code).toBe('conversion_not_found');
    }
    const route = await t.app.inject({ url: '/no/such/route' });
    expect(route.statusCode).toBe(404);
    expect(route.json().code).toBe('route_not_found');
  });

  it('refuses a multipart body of 10,000 tiny parts with 413, and a second file part', async () => {
    const fields = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, 'x']));
    const res = await t.app.inject({ method: 'POST', url: '/convert', ...multipart(null, fields) });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('too_many_parts');
    // the next request is unaffected
    expect((await t.app.inject({ url: '/worker-pool-status' })).statusCode).toBe(200);
  });

  it('refuses an upload over MAX_UPLOAD_MB with 413 and keeps no temp file', async () => {
    const small = await startTestServer({ MAX_UPLOAD_MB: 1 }, { fake: fakeBackend() });
    try {
      const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2 * 1024 * 1024, 0x20)]);
      const res = await small.app.inject({ method: 'POST', url: '/convert', ...multipart({ name: 'big.pdf', data: big }) });
      expect(res.statusCode).toBe(413);
      expect(res.json().code).toBe('file_too_large');
      expect((await fs.readdir(path.join(small.config.DATA_DIR, 'uploads'))).filter((f) => f.startsWith('tmp-'))).toEqual([]);
      const next = await small.app.inject({ url: '/worker-pool-status' });
      expect(next.statusCode).toBe(200);
    } finally {
      await small.close();
    }
  });
});

describe('status and document routes', () => {
  it('lists conversions, filtered by status', async () => {
    const broken = await submitFile(t.app, 'no-pages.pdf', Buffer.from('%PDF-1.4\n%%EOF\n'));
    expect((await waitForEnd(t.app, broken.body.conversion_id)).status).toBe('error');
    const all = (await t.app.inject({ url: '/conversions?limit=500' })).json();
    expect(all.total).toBeGreaterThan(3);
    const errors = (await t.app.inject({ url: '/conversions?status=error' })).json();
    expect(errors.conversions.length).toBeGreaterThan(0);
    expect(errors.conversions.every((c: { status: string }) => c.status === 'error')).toBe(true);
    expect((await t.app.inject({ url: '/conversions?status=failed' })).statusCode).toBe(400);
  });

  it('reports the pool with counters back at zero when idle', async () => {
    const res = (await t.app.inject({ url: '/worker-pool-status' })).json();
    expect(res).toMatchObject({ status: 'ok', queue_size: 0, active_tasks: 0, num_workers: 2, pages_queued: 0, pages_active: 0, busy_workers: 0 });
  });

  it('serves /health', async () => {
    const res = await t.app.inject({ url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('healthy');
  });

  it('uploads to input/, lists documents, and serves their Markdown by stem', async () => {
    // the fake backend reads page n as "Page <n> text"
    const up = await t.app.inject({ method: 'POST', url: '/upload', ...multipart({ name: 'Field Notes.pdf', data: textPdf([['Owls hunt at night'], ['Bats do too']]) }) });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toMatchObject({ status: 'success', filename: 'Field_Notes.pdf', file_size: expect.any(Number) });
    const res = await t.app.inject({ method: 'POST', url: '/convert', payload: 'filename=Field_Notes.pdf', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await waitForEnd(t.app, res.json().conversion_id);

    const docs = (await t.app.inject({ url: '/documents' })).json();
    const doc = docs.documents.find((d: { filename: string }) => d.filename === 'Field_Notes.pdf');
    expect(doc).toMatchObject({ markdown_exists: true, is_multipage: true, stem: 'Field_Notes' });

    const page1 = (await t.app.inject({ url: '/markdown/Field_Notes?page_no=1' })).json();
    expect(page1).toMatchObject({ status: 'success', page_no: 1, total_pages: 2 });
    expect(page1.content).toContain('Page 2 text');
    expect(page1.content).not.toContain('Page 1 text');
    const whole = (await t.app.inject({ url: '/markdown/Field_Notes' })).json();
    expect(whole.content).toContain('Page 1 text');
    expect(whole.content).toContain('Page 2 text');
    const files = (await t.app.inject({ url: '/markdown-files/Field_Notes' })).json();
    expect(files.files.map((f: { filename: string }) => f.filename)).toEqual(['Field_Notes_page_0_nohf.md', 'Field_Notes_page_1_nohf.md']);
    expect((await t.app.inject({ url: '/markdown/Field_Notes?page_no=7' })).json().code).toBe('page_not_found');
    expect((await t.app.inject({ url: '/markdown/nothing-here' })).json().code).toBe('document_not_found');
    // URL parsers resolve "/markdown/.." before routing; the stem guard itself refuses any path
    for (const stem of ['..', '../output', 'a/b', 'a\\b']) {
      await expect(t.runtime.library.markdown(stem), stem).rejects.toMatchObject({ code: 'document_not_found' });
    }
  });
});
