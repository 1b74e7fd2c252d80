import fs from 'node:fs/promises';
import path from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PagePreviews } from '../../../src/jobs/documents/page-previews.js';
import { FolderBlobStore } from '../../../src/jobs/store/folder-blob-store.js';
import { scannedPdf, textPdf } from '../../fixtures/pdf-fixtures.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../../helpers/test-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.close());

async function convert(name: string, data: Buffer, fields: Record<string, string> = {}) {
  const { body } = await submitFile(t.app, name, data, fields);
  const rec = await waitForEnd(t.app, body.conversion_id);
  expect(rec.status).toBe('completed');
  return rec;
}

/** Pixels whose channels differ clearly: the coloured layout boxes on a grey page. */
async function colouredPixels(jpeg: Buffer): Promise<number> {
  const img = await loadImage(jpeg);
  const ctx = createCanvas(img.width, img.height).getContext('2d');
  ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, img.width, img.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (Math.max(d[i]!, d[i + 1]!, d[i + 2]!) - Math.min(d[i]!, d[i + 1]!, d[i + 2]!) > 60) n++;
  return n;
}

describe('page images of text-layer pages', () => {
  it('are not drawn while converting, but on the first request, with the boxes, and kept on disk', async () => {
    const rec = await convert('digital.pdf', textPdf([['A born digital page', 'with a second line of text'], ['Page two has its own words']]));
    const file = path.join(t.config.OUTPUT_DIR, rec.output_stem, `${rec.output_stem}_page_1.jpg`);
    await expect(fs.stat(file)).rejects.toMatchObject({ code: 'ENOENT' });

    const first = await t.app.inject({ url: `/image/${rec.output_stem}?page_no=1` });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('image/jpeg');
    expect((await loadImage(first.rawPayload)).width).toBeGreaterThan(100);
    expect(await colouredPixels(first.rawPayload)).toBeGreaterThan(20);
    const stored = await fs.stat(file);

    const again = await t.app.inject({ url: `/image/${rec.output_stem}?page_no=1` });
    expect(again.rawPayload.equals(first.rawPayload)).toBe(true);
    expect((await fs.stat(file)).mtimeMs).toBe(stored.mtimeMs);
  });

  it('answer concurrent first requests with one drawing', async () => {
    const rec = await convert('twice.pdf', textPdf([['Asked for twice at the same moment']]));
    const [a, b] = await Promise.all([0, 0].map(() => t.app.inject({ url: `/image/${rec.output_stem}?page_no=0` })));
    expect([a!.statusCode, b!.statusCode]).toEqual([200, 200]);
    expect(a!.rawPayload.equals(b!.rawPayload)).toBe(true);
  });

  it('are drawn for prompt_ocr conversions too; a page past the end is 404 page_not_found', async () => {
    const rec = await convert('plain.pdf', textPdf([['Plain text mode page']]), { prompt_mode: 'prompt_ocr' });
    expect((await t.app.inject({ url: `/image/${rec.output_stem}?page_no=0` })).statusCode).toBe(200);
    const past = await t.app.inject({ url: `/image/${rec.output_stem}?page_no=1` });
    expect(past.statusCode).toBe(404);
    expect(past.json().code).toBe('page_not_found');
  });

  it('scanned pages keep their image from reading (layout modes) and have none in prompt_ocr', async () => {
    const scan = await scannedPdf([['Scanned words for the preview']]);
    const layout = await convert('scan.pdf', scan);
    await expect(fs.stat(path.join(t.config.OUTPUT_DIR, layout.output_stem, `${layout.output_stem}_page_0.jpg`))).resolves.toBeTruthy();
    const plain = await convert('scan.pdf', scan, { prompt_mode: 'prompt_ocr' });
    const res = await t.app.inject({ url: `/image/${plain.output_stem}?page_no=0` });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('page_not_found');
  });

  it('answer 404 page_not_found, not a 500, when the page cannot be drawn', async () => {
    const rec = await convert('undrawable.pdf', textPdf([['This page will fail to draw']]));
    const failing = { pagePreview: async () => ({ ok: false as const, error: { code: 'invalid_pdf' as const, message: 'gone' } }) };
    const previews = new PagePreviews(t.config, failing, new FolderBlobStore(t.config), t.runtime.store, pino({ level: 'silent' }));
    await expect(previews.file(t.runtime.store.get(rec.id)!, 1)).rejects.toMatchObject({ code: 'page_not_found', status: 404 });
  });
});
