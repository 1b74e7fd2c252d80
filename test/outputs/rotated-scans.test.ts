import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageResult } from '../../src/schemas/page-result.js';
import { cer } from '../../bench/cer.js';
import { readFixture } from '../fixtures/files.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../helpers/test-server.js';

/**
 * A real scan turned four ways, read end to end: orientation detection, rotation and OCR on every
 * page (the units are in test/workers/raster/page-orientation and test/workers/ocr). Half a minute
 * of OCR on two cores, so it runs with the end-to-end files (npm run test:e2e).
 */
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ RENDER_DPI: 150 });
});
afterAll(async () => t?.close());

const result = (id: string, format: string) => t.app.inject({ url: `/conversions/${id}/result?format=${format}` });
async function convert(name: string, data: Buffer) {
  const { status, body } = await submitFile(t.app, name, data);
  expect(status, JSON.stringify(body)).toBe(200);
  return { id: body.conversion_id, rec: await waitForEnd(t.app, body.conversion_id) };
}

describe('a scan turned four ways', () => {
  it('reads all four pages of cardinal.pdf (0/90/180/270°) upright', async () => {
    const { id, rec } = await convert('cardinal.pdf', await readFixture('cardinal.pdf'));
    expect(rec.status).toBe('completed');
    const pages: PageResult[] = (await result(id, 'json')).json().pages;
    expect(pages).toHaveLength(4);
    const reference = (await readFixture('cardinal.p1.tesseract-eng.txt')).toString('utf8');
    for (const p of pages) {
      expect(p.text, `page ${p.page_no}`).toContain('LinnSequencer');
      expect(cer(p.text, reference), `page ${p.page_no} read upright`).toBeLessThan(0.05);
    }
    expect(pages[0]!.rotation).toBe(0);
    expect(pages[2]!.rotation).toBe(180);
  });

});
