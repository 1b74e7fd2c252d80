import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PDFDocument, PDFHeader, PDFName, StandardFonts } from 'pdf-lib';
import { buildSearchablePdf } from '../../../workers/pdf/searchable-pdf.js';
import { pdfaViolations } from '../../helpers/pdfa-rules.js';
import { tempDirs } from '../../helpers/temp-dirs.js';

const temp = tempDirs('pagemill-pdfa-');
afterAll(() => temp.cleanup());

/** A born-digital page in a font it does not embed, with document JavaScript and a JavaScript open action. */
async function bornDigital(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.context.header = PDFHeader.forVersion(1, 3);
  const page = doc.addPage([300, 200]);
  page.drawText('Born digital', { x: 20, y: 100, size: 18, font: await doc.embedFont(StandardFonts.Helvetica) });
  const js = doc.context.obj({ S: 'JavaScript', JS: 'app.alert(1)' });
  doc.catalog.set(PDFName.of('OpenAction'), js);
  doc.catalog.set(PDFName.of('Names'), doc.context.obj({ JavaScript: doc.context.obj({ Names: ['a', js] }) }));
  doc.setTitle('Original title');
  return doc.save();
}

async function build(source: Uint8Array, pdfa: boolean) {
  const dir = await temp.make();
  const src = path.join(dir, 'in.pdf');
  const out = path.join(dir, 'out.pdf');
  await fs.writeFile(src, source);
  const result = await buildSearchablePdf({
    kind: 'pdf', source_path: src, out_path: out, layers: [],
    ...(pdfa ? { pdfa: { title: 'scan <1>.pdf', producer: 'pagemill test' } } : {}),
  });
  return { result, bytes: new Uint8Array(await fs.readFile(out)) };
}

describe('PDF/A-2b from a born-digital PDF', () => {
  it('the rule checker finds what a plain searchable PDF lacks', async () => {
    const { bytes } = await build(await bornDigital(), false);
    const broken = await pdfaViolations(bytes);
    for (const rule of ['trailer: /ID', 'catalog: an OutputIntent', 'XMP: pdfaid:part 2', 'object: a JavaScript action', 'font: Helvetica not embedded']) {
      expect(broken.some((v) => v.startsWith(rule)), rule).toBe(true);
    }
  });

  it('adds the output intent, XMP and /ID, removes JavaScript, keeps the page and its title, and reports the font it cannot embed', async () => {
    const { result, bytes } = await build(await bornDigital(), true);
    expect(result.pdfa_problems).toEqual(['font Helvetica is not embedded']);
    // What is left is only what the page itself brings: its font.
    expect(await pdfaViolations(bytes)).toEqual(['font: Helvetica not embedded']);
    const doc = await PDFDocument.load(bytes, { updateMetadata: false });
    expect(doc.getPageCount()).toBe(1);
    expect(doc.getTitle()).toBe('Original title');
    expect(doc.getProducer()).toBe('pagemill test');
    expect(Buffer.from(bytes.subarray(0, 8)).toString('latin1')).toBe('%PDF-1.7');
  });

  it('reports a CMYK image, which the RGB output intent does not cover', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage([100, 100]);
    const image = doc.context.register(doc.context.stream(new Uint8Array(4), {
      Type: 'XObject', Subtype: 'Image', Width: 1, Height: 1, ColorSpace: 'DeviceCMYK', BitsPerComponent: 8,
    }));
    page.node.setXObject(PDFName.of('Im1'), image);
    const { result } = await build(await doc.save(), true);
    expect(result.pdfa_problems).toEqual(['an image is in DeviceCMYK']);
  });
});

