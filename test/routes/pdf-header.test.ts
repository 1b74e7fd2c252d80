import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { submitFile, startTestServer, waitForEnd, type TestServer } from '../helpers/test-server.js';

/**
 * What pdf.js can open is accepted as a PDF even when its `%PDF-` header is late or missing; what
 * nothing can read is refused 415, and what only looks like a PDF is left to pdf.js (invalid_pdf).
 */
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ NUM_WORKERS: 1 });
});
afterAll(async () => {
  await t?.close();
});

async function convertedText(name: string, data: Buffer): Promise<string> {
  const { status, body } = await submitFile(t.app, name, data);
  expect(status).toBe(200);
  const rec = await waitForEnd(t.app, body.conversion_id);
  expect(rec, 'the record').toMatchObject({ status: 'completed', error: null });
  return (await t.app.inject({ url: `/conversions/${body.conversion_id}/result?format=txt` })).body;
}

describe('PDFs with a late or missing header', () => {
  it('converts a PDF whose header follows 2 KB of junk', async () => {
    // Letters, but not starting "BM" (a BMP's signature: 1 run in 676 was sniffed as an image).
    const junk = Buffer.concat([Buffer.from('JUNK'), crypto.randomBytes(2044).map((b) => 0x41 + (b % 26))]);
    const pdf = Buffer.concat([junk, textPdf([['Late header still reads']])]);
    expect(pdf.subarray(0, 1024).includes('%PDF-')).toBe(false);
    expect(await convertedText('late-header.pdf', pdf)).toContain('Late header still reads');
  });

  it('converts a PDF without any header (body and trailer intact)', async () => {
    const pdf = textPdf([['Headless document body']]);
    pdf.write('%XYZ-', 0, 'latin1'); // same length: the object offsets stay right
    expect(pdf.includes('%PDF-')).toBe(false);
    expect(await convertedText('no-header.pdf', pdf)).toContain('Headless document body');
  });

  it('leaves a trailer-only file to pdf.js: accepted, then invalid_pdf', async () => {
    const fake = Buffer.from('just some words\ntrailer\n<< /Size 1 >>\nstartxref\n0\n%%EOF\n', 'latin1');
    const { status, body } = await submitFile(t.app, 'fake.pdf', fake);
    expect(status).toBe(200);
    const rec = await waitForEnd(t.app, body.conversion_id);
    expect(rec).toMatchObject({ status: 'error', error_code: 'invalid_pdf' });
  });

  it('refuses random bytes with 415 unsupported_media_type', async () => {
    const noise = Buffer.from(crypto.randomBytes(5000).map((b) => (b === 0x25 ? 0 : b))); // no "%": no header, no %%EOF
    noise[0] = 0x01; // not a gzip/ZIP/… signature by chance
    const { status, body } = await submitFile(t.app, 'noise.pdf', noise);
    expect(status).toBe(415);
    expect(body.code).toBe('unsupported_media_type');
  });
});
