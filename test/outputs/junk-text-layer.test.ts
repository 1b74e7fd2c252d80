import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageResult } from '../../src/schemas/page-result.js';
import { cyrillicTextPdf } from '../fixtures/cyrillic-pdf.js';
import { byteSwapped, controlCharacters, junkTextLayerPdf } from '../fixtures/junk-text-pdf.js';
import { scannedPdf, textPdf } from '../fixtures/pdf-fixtures.js';
import { submitFile, startTestServer, waitForEnd, type TestServer } from '../helpers/test-server.js';

/**
 * Text layers that render right but extract as junk (wrong ToUnicode maps) are OCR'd in
 * ocr_mode=auto, and every page says why it has its source (`source_reason`).
 */
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

const LINES = ['Harbour master reports calm seas', 'Lighthouse lamps were cleaned today'];

async function convertPage(name: string, pdf: Buffer, fields: Record<string, string> = {}) {
  const { body } = await submitFile(t.app, name, pdf, { prompt_mode: 'prompt_ocr', ...fields });
  const rec = await waitForEnd(t.app, body.conversion_id);
  expect(rec.status).toBe('completed');
  const page = (await t.app.inject({ url: `/conversions/${body.conversion_id}/pages/1` })).json() as PageResult;
  const json = (await t.app.inject({ url: `/conversions/${body.conversion_id}/result?format=json` })).json();
  expect(json.pages[0].source_reason).toBe(page.source_reason);
  return page;
}

describe('junk text layers in ocr_mode=auto', () => {
  it('OCRs a page whose ToUnicode map is byte-swapped (Latin → Han) and says why', async () => {
    const pdf = junkTextLayerPdf(LINES, byteSwapped);
    const page = await convertPage('swapped.pdf', pdf);
    expect(page.source).toBe('ocr');
    expect(page.source_reason).toBe("implausible-text-layer: characters outside the requested languages' scripts");
    expect(page.text).toContain('Harbour master');
    expect(page.text).toContain('Lighthouse lamps');
  });

  it('OCRs a page whose ToUnicode map points at control characters and says why', async () => {
    const page = await convertPage('control.pdf', junkTextLayerPdf(LINES, controlCharacters));
    expect(page.source).toBe('ocr');
    expect(page.source_reason).toBe('implausible-text-layer: control characters');
    expect(page.text).toContain('calm seas');
  });

  it('keeps a real page in another script when OCR in the requested language reads it worse', async () => {
    const russian = ['Съешь же ещё этих мягких французских булок, да выпей чаю', 'Широкая электрификация южных губерний даст мощный толчок'];
    const page = await convertPage('russian.pdf', cyrillicTextPdf(russian)); // lang defaults to eng
    expect(page.source).toBe('text-layer');
    expect(page.source_reason).toMatch(/^text-layer: kept, OCR in eng read it worse/);
    expect(page.text).toContain('французских булок');
  });

  it('keeps the junk layer as it is with skip-text', async () => {
    const page = await convertPage('swapped-kept.pdf', junkTextLayerPdf(LINES, byteSwapped), { ocr_mode: 'skip-text' });
    expect(page).toMatchObject({ source: 'text-layer', source_reason: 'text-layer', confidence: 100 });
    expect(page.text).not.toContain('Harbour');
    expect(page.text).toMatch(/\p{Script=Han}/u);
  });

  it('names the reason for a good text layer, a forced OCR and a scan', async () => {
    const digital = textPdf([['A perfectly ordinary text layer here']]);
    expect(await convertPage('good.pdf', digital)).toMatchObject({ source: 'text-layer', source_reason: 'text-layer' });
    expect(await convertPage('forced.pdf', digital, { ocr_mode: 'force' })).toMatchObject({ source: 'ocr', source_reason: 'ocr-forced' });
    const scan = await scannedPdf([['A scanned page has no text layer']]);
    expect(await convertPage('scan.pdf', scan)).toMatchObject({ source: 'ocr', source_reason: 'no-text-layer' });
  });
});
