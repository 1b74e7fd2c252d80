import { createHash } from 'node:crypto';
import {
  PDFArray, PDFDict, PDFHeader, PDFHexString, PDFName, PDFNumber, PDFRawStream, PDFRef, PDFStream, PDFString, type PDFDocument, type PDFObject,
} from 'pdf-lib';
import { srgbIccProfile, SRGB_ICC_NAME } from './srgb-icc.js';

/*
 * Turns the searchable PDF into PDF/A-2b (ISO 19005-2, level B: the pages look the same in fifty
 * years), as OCRmyPDF's fast path does for image + invisible text files, without Ghostscript:
 * - an sRGB output intent with its ICC profile (srgb-icc.ts), so DeviceRGB/DeviceGray images have
 *   a defined colour;
 * - XMP metadata saying pdfaid:part 2, conformance B, with the title, producer and dates the
 *   Info dictionary has (the two must agree);
 * - a trailer /ID; /CIDToGIDMap on every TrueType CID font (tesseract's GlyphLessFont has one);
 * - nothing PDF/A forbids: no JavaScript or launch actions, no embedded files, no /Interpolate,
 *   no hidden annotations (the output is never encrypted: pdf-lib writes no /Encrypt).
 * What cannot be repaired without re-rendering is reported instead: fonts of born-digital pages
 * that are not embedded, CMYK images (the output intent is RGB).
 */

const FORBIDDEN_ACTIONS = new Set(['JavaScript', 'Launch', 'ImportData', 'ResetForm', 'Rendition', 'Sound', 'Movie', 'SetOCGState', 'Trans', 'GoTo3DView', 'Hide']);
const FONT_FILES = ['FontFile', 'FontFile2', 'FontFile3'];

export interface PdfAInfo {
  title: string;
  producer: string;
  /** The moment the file is made (ModDate; CreationDate too when the original has none). */
  now: Date;
}

const xml = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
  .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** ISO 8601 in UTC, to the second: what pdf-lib writes into the Info dictionary (D:YYYYMMDDHHmmSSZ), in XMP's form. */
const xmpDate = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
/** Info dates are written to the second; XMP must name the same instant. */
const toSecond = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

function xmpPacket(fields: { title?: string; author?: string; subject?: string; keywords?: string; creator?: string; producer: string; created: Date; modified: Date }): string {
  const lines = [
    `<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">`,
    '<pdfaid:part>2</pdfaid:part>',
    '<pdfaid:conformance>B</pdfaid:conformance>',
    '</rdf:Description>',
    `<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">`,
    `<xmp:CreateDate>${xmpDate(fields.created)}</xmp:CreateDate>`,
    `<xmp:ModifyDate>${xmpDate(fields.modified)}</xmp:ModifyDate>`,
    `<xmp:MetadataDate>${xmpDate(fields.modified)}</xmp:MetadataDate>`,
    ...(fields.creator ? [`<xmp:CreatorTool>${xml(fields.creator)}</xmp:CreatorTool>`] : []),
    '</rdf:Description>',
    `<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">`,
    `<pdf:Producer>${xml(fields.producer)}</pdf:Producer>`,
    ...(fields.keywords ? [`<pdf:Keywords>${xml(fields.keywords)}</pdf:Keywords>`] : []),
    '</rdf:Description>',
  ];
  const dc: string[] = [];
  if (fields.title) dc.push(`<dc:title><rdf:Alt><rdf:li xml:lang="x-default">${xml(fields.title)}</rdf:li></rdf:Alt></dc:title>`);
  if (fields.author) dc.push(`<dc:creator><rdf:Seq><rdf:li>${xml(fields.author)}</rdf:li></rdf:Seq></dc:creator>`);
  if (fields.subject) dc.push(`<dc:description><rdf:Alt><rdf:li xml:lang="x-default">${xml(fields.subject)}</rdf:li></rdf:Alt></dc:description>`);
  if (dc.length) lines.push(`<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">`, ...dc, '</rdf:Description>');
  // The padding lets a later tool rewrite the packet in place, as the XMP specification suggests.
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
${lines.join('\n')}
</rdf:RDF>
</x:xmpmeta>
${`${' '.repeat(99)}\n`.repeat(20)}<?xpacket end="w"?>`;
}

const dictOf = (doc: PDFDocument, o: PDFObject | undefined): PDFDict | undefined => {
  const v = o instanceof PDFRef ? doc.context.lookup(o) : o;
  if (v instanceof PDFDict) return v;
  if (v instanceof PDFStream) return v.dict;
  return undefined;
};
const nameOf = (o: PDFObject | undefined) => (o instanceof PDFName ? o.decodeText() : undefined);

/** Every dictionary of the file, those written inside others too (an annotation inline in /Annots). */
export function* allDictionaries(doc: PDFDocument): Generator<PDFDict> {
  const seen = new Set<PDFObject>();
  function* visit(o: PDFObject): Generator<PDFDict> {
    if (o instanceof PDFStream) o = o.dict;
    if (seen.has(o)) return;
    seen.add(o);
    if (o instanceof PDFDict) {
      yield o;
      for (const v of o.values()) if (!(v instanceof PDFRef)) yield* visit(v);
    } else if (o instanceof PDFArray) {
      for (const v of o.asArray()) if (!(v instanceof PDFRef)) yield* visit(v);
    }
  }
  for (const [, object] of doc.context.enumerateIndirectObjects()) yield* visit(object);
}

/** Removes what PDF/A forbids from every object, and notes what it cannot repair. */
function sweep(doc: PDFDocument, problems: Set<string>): void {
  for (const dict of allDictionaries(doc)) {
    const type = nameOf(dict.get(PDFName.of('Type')));
    const subtype = nameOf(dict.get(PDFName.of('Subtype')));
    // Actions that run code or reach outside the file, anywhere they hang.
    for (const key of ['A', 'OpenAction']) {
      const action = dictOf(doc, dict.get(PDFName.of(key)));
      if (action && FORBIDDEN_ACTIONS.has(nameOf(action.get(PDFName.of('S'))) ?? '')) dict.delete(PDFName.of(key));
    }
    dict.delete(PDFName.of('AA'));
    if (subtype === 'Image' && nameOf(dict.get(PDFName.of('ColorSpace'))) === 'DeviceCMYK') {
      // The output intent is RGB: CMYK needs one of its own (a CMYK JPEG, a print-ready page).
      problems.add('an image is in DeviceCMYK');
    }
    if (subtype === 'Image' || type === 'XObject') {
      dict.delete(PDFName.of('Interpolate'));
      dict.delete(PDFName.of('Alternates'));
      dict.delete(PDFName.of('OPI'));
    }
    if (type === 'Annot' || (dict.has(PDFName.of('Rect')) && subtype && type !== 'XObject')) {
      // Printed, never hidden (flags: 1 invisible, 2 hidden, 4 print, 32 no view).
      const flags = (dict.get(PDFName.of('F')) as PDFNumber | undefined)?.asNumber() ?? 0;
      dict.set(PDFName.of('F'), PDFNumber.of((flags | 4) & ~(1 | 2 | 32)));
    }
    if (subtype === 'CIDFontType2' && !dict.has(PDFName.of('CIDToGIDMap'))) dict.set(PDFName.of('CIDToGIDMap'), PDFName.of('Identity'));
    if (type === 'FontDescriptor' && !FONT_FILES.some((k) => dict.has(PDFName.of(k)))) {
      problems.add(`font ${nameOf(dict.get(PDFName.of('FontName'))) ?? '(unnamed)'} is not embedded`);
    }
    if (type === 'Font' && ['Type1', 'TrueType', 'MMType1'].includes(subtype ?? '') && !dict.has(PDFName.of('FontDescriptor'))) {
      problems.add(`font ${nameOf(dict.get(PDFName.of('BaseFont'))) ?? '(unnamed)'} is not embedded`);
    }
  }
}

/** Catalog entries PDF/A forbids: document JavaScript and embedded files, a document open action. */
function cleanCatalog(doc: PDFDocument): void {
  const names = dictOf(doc, doc.catalog.get(PDFName.of('Names')));
  names?.delete(PDFName.of('JavaScript'));
  names?.delete(PDFName.of('EmbeddedFiles'));
  const form = dictOf(doc, doc.catalog.get(PDFName.of('AcroForm')));
  form?.delete(PDFName.of('XFA'));
  form?.delete(PDFName.of('NeedAppearances'));
}

function outputIntent(doc: PDFDocument): void {
  const profile = doc.context.flateStream(srgbIccProfile(), { N: 3 });
  const intent = doc.context.obj({
    Type: 'OutputIntent',
    S: 'GTS_PDFA1',
    OutputConditionIdentifier: PDFString.of(SRGB_ICC_NAME),
    Info: PDFString.of(SRGB_ICC_NAME),
    RegistryName: PDFString.of('http://www.color.org'),
    DestOutputProfile: doc.context.register(profile),
  });
  doc.catalog.set(PDFName.of('OutputIntents'), doc.context.obj([intent]));
}

/** Makes `doc` PDF/A-2b in place; returns what in it may still not conform (born-digital pages' fonts). */
export function makePdfA(doc: PDFDocument, info: PdfAInfo): string[] {
  const problems = new Set<string>();
  // PDF/A-2 is based on PDF 1.7, and pdf-lib writes object streams (1.5): an original's older header would understate the file.
  doc.context.header = PDFHeader.forVersion(1, 7);
  cleanCatalog(doc);
  sweep(doc, problems);
  outputIntent(doc);

  // The Info dictionary, then the same facts in XMP (PDF/A: the two must agree).
  const created = toSecond(doc.getCreationDate() ?? info.now);
  const modified = toSecond(info.now);
  doc.setCreationDate(created);
  doc.setModificationDate(modified);
  doc.setProducer(info.producer);
  if (!doc.getTitle()) doc.setTitle(info.title);
  const infoDict = dictOf(doc, doc.context.trailerInfo.Info);
  infoDict?.delete(PDFName.of('Trapped'));
  const packet = xmpPacket({
    title: doc.getTitle(), author: doc.getAuthor(), subject: doc.getSubject(), keywords: doc.getKeywords(), creator: doc.getCreator(),
    producer: info.producer, created, modified,
  });
  const metadata = PDFRawStream.of(doc.context.obj({ Type: 'Metadata', Subtype: 'XML', Length: Buffer.byteLength(packet) }), new Uint8Array(Buffer.from(packet, 'utf8')));
  doc.catalog.set(PDFName.of('Metadata'), doc.context.register(metadata));
  // The catalog's MarkInfo, if any, is kept; PDF/A-2b does not need a tagged file.

  const id = createHash('md5').update(`${info.title}\0${modified.toISOString()}\0${doc.getPageCount()}`).digest('hex');
  doc.context.trailerInfo.ID = doc.context.obj([PDFHexString.of(id), PDFHexString.of(id)]) as PDFArray;
  delete doc.context.trailerInfo.Encrypt;
  return [...problems];
}
