import fs from 'node:fs/promises';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFDict, PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { fixturePath } from '../../fixtures/files.js';
import { textPdf } from '../../fixtures/pdf-fixtures.js';
import { pdfaViolations } from '../../helpers/pdfa-rules.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../../helpers/test-server.js';

/** The text of every content stream: the invisible text layer's operators are in one of them. */
async function contentText(bytes: Uint8Array): Promise<string> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const parts: string[] = [];
  for (const [, o] of doc.context.enumerateIndirectObjects()) {
    if (!(o instanceof PDFRawStream)) continue;
    try {
      parts.push(zlib.inflateSync(Buffer.from(o.contents)).toString('latin1'));
    } catch {
      parts.push(Buffer.from(o.contents).toString('latin1'));
    }
  }
  return parts.join('\n');
}

/** BaseFont names of the file's fonts whose descriptor carries the font program. */
async function embeddedFonts(bytes: Uint8Array): Promise<string[]> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const names = new Set<string>();
  for (const [, o] of doc.context.enumerateIndirectObjects()) {
    if (!(o instanceof PDFDict) || !o.has(PDFName.of('FontDescriptor'))) continue;
    const descriptor = doc.context.lookup(o.get(PDFName.of('FontDescriptor')), PDFDict);
    if (['FontFile', 'FontFile2', 'FontFile3'].some((k) => descriptor.has(PDFName.of(k)))) names.add(String(o.get(PDFName.of('BaseFont'))).slice(1));
  }
  return [...names];
}

describe('PDF/A-2b of a scanned image, OCR\'d (PDF_OUTPUT=pdfa)', () => {
  let t: TestServer;
  let base = '';
  beforeAll(async () => {
    t = await startTestServer({ PDF_OUTPUT: 'pdfa', NUM_WORKERS: 1 });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => t?.close());

  it('makes format=pdf and format=pdfa one PDF/A-2b file that keeps every rule, with the text invisible in an embedded font', async () => {
    const { status, body } = await submitFile(t.app, 'crom.png', await fs.readFile(fixturePath('crom.png')), { formats: 'txt,pdf,pdfa' });
    expect(status).toBe(200);
    const rec = await waitForEnd(t.app, body.conversion_id);
    expect(rec.status).toBe('completed');
    expect(rec.message).not.toMatch(/PDF/);
    const get = async (format: string) => {
      const res = await fetch(`${base}/conversions/${body.conversion_id}/result?format=${format}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      return { bytes: new Uint8Array(await res.arrayBuffer()), disposition: res.headers.get('content-disposition') };
    };
    const pdfa = await get('pdfa');
    expect(pdfa.disposition).toContain('crom.pdfa.pdf');
    expect(await pdfaViolations(pdfa.bytes)).toEqual([]);
    // PDF_OUTPUT=pdfa: the plain name is the same file.
    expect(Buffer.from((await get('pdf')).bytes).equals(Buffer.from(pdfa.bytes))).toBe(true);
    // tesseract's invisible text (render mode 3) in its GlyphLessFont, embedded (FontFile2).
    const content = await contentText(pdfa.bytes);
    expect(/\b3 Tr\b/.test(content)).toBe(true);
    expect(await embeddedFonts(pdfa.bytes)).toEqual(['GlyphLessFont']);
  });

  it('keeps a born-digital page as it is and says in the conversion\'s message which font keeps it from conforming', async () => {
    const { status, body } = await submitFile(t.app, 'letter.pdf', textPdf([['A born-digital letter in Helvetica']]), { formats: 'txt,pdfa' });
    expect(status).toBe(200);
    const rec = await waitForEnd(t.app, body.conversion_id);
    expect(rec.status).toBe('completed');
    expect(rec.message).toContain('the pdfa may not be valid PDF/A: font Helvetica is not embedded');
    const res = await fetch(`${base}/conversions/${body.conversion_id}/result?format=pdfa`);
    expect(res.status).toBe(200);
    expect(await pdfaViolations(new Uint8Array(await res.arrayBuffer()))).toEqual(['font: Helvetica not embedded']);
  });
});
