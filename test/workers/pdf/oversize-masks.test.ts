import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageResult } from '../../../src/schemas/page-result.js';
import { largestMaskPixels } from '../../../workers/pdf/oversize-masks.js';
import { buildPdf, escapePdfText } from '../../fixtures/pdf-fixtures.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../../helpers/test-server.js';

/**
 * pdf.js drops images above its size limit but decodes their masks whatever their size (a 58 KB
 * slide with 151 MP soft masks took 2.6 GB). Such a mask is found in the file's bytes first.
 */
const MASK_W = 3000;
const MASK_H = 2000; // 6 MP: above the 4 MP decode limit of MAX_PAGE_MEGAPIXELS=1

/** A page with a 2×2 image whose soft mask is MASK_W×MASK_H, and `text` drawn over it (if any). */
function maskedImagePdf(text: string | null): Buffer {
  const maskData = zlib.deflateSync(Buffer.alloc((MASK_W / 8) * MASK_H, 0xff));
  const draw = `q 612 0 0 792 0 0 cm /Im1 Do Q${text ? ` BT /F1 24 Tf 72 700 Td (${escapePdfText(text)}) Tj ET` : ''}`;
  return buildPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im1 5 0 R >> /Font << /F1 7 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${draw.length} >>\nstream\n${draw}\nendstream`,
    '<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 /SMask 6 0 R /Length 4 >>\nstream\n\x00\x40\x80\xff\nendstream',
    Buffer.concat([
      Buffer.from(`<< /Type /XObject /Subtype /Image /Width ${MASK_W} /Height ${MASK_H} /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode /Length ${maskData.length} >>\nstream\n`, 'latin1'),
      maskData,
      Buffer.from('\nendstream', 'latin1'),
    ]),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]);
}

describe('largestMaskPixels', () => {
  it('finds the largest soft mask in the file and ignores unmasked images', () => {
    expect(largestMaskPixels(maskedImagePdf(null))).toBe(MASK_W * MASK_H);
    const unmasked = buildPdf(['<< /Type /XObject /Subtype /Image /Width 9000 /Height 9000 /Length 0 >>\nstream\n\nendstream']);
    expect(largestMaskPixels(unmasked)).toBe(0);
  });
});

describe('a page whose image mask is above the decode limit', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ MAX_PAGE_MEGAPIXELS: 1 });
  });
  afterAll(async () => t?.close());

  it('is not decoded: without a text layer the page fails image_too_large', async () => {
    const { body } = await submitFile(t.app, 'masked.pdf', maskedImagePdf(null));
    const rec = await waitForEnd(t.app, body.conversion_id as string);
    expect(rec).toMatchObject({ status: 'error', error_code: 'image_too_large' });
  });

  it('keeps the page\'s own text when OCR would need the mask decoded', async () => {
    const { body } = await submitFile(t.app, 'masked-text.pdf', maskedImagePdf('Masked slide title'), { ocr_mode: 'force' });
    const rec = await waitForEnd(t.app, body.conversion_id as string);
    expect(rec.status).toBe('completed');
    const page = (await t.app.inject({ url: `/conversions/${body.conversion_id as string}/pages/1` })).json() as PageResult;
    expect(page).toMatchObject({ source: 'text-layer', text: 'Masked slide title' });
    expect(page.source_reason).toMatch(/too large to decode/);
    expect(page.warnings.join(' ')).toMatch(/6 MP/);
  });
});
