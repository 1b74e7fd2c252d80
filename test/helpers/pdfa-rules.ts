import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRawStream, PDFRef, PDFStream, PDFString, type PDFObject,
} from 'pdf-lib';
import { allDictionaries } from '../../workers/pdf/pdfa.js';

/**
 * The PDF/A-2b rules pagemill promises, checked on a produced file without veraPDF (which cannot
 * be installed here): each broken rule is one line of the result, so a test shows which. Not a
 * validator: it checks what pdfa.ts is meant to add or remove, on a file parsed with pdf-lib, plus
 * `qpdf --check` for the file's structure.
 */

export async function pdfaViolations(bytes: Uint8Array): Promise<string[]> {
  const out: string[] = [];
  const head = Buffer.from(bytes.subarray(0, 32)).toString('latin1');
  if (!/^%PDF-1\.[4-7]\r?\n%[\x80-\xff]{4}/.test(head)) out.push('header: %PDF-1.x then a comment of four bytes >= 128');
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const ctx = doc.context;
  const look = (o: PDFObject | undefined) => (o instanceof PDFRef ? ctx.lookup(o) : o);
  const dict = (o: PDFObject | undefined) => {
    const v = look(o);
    return v instanceof PDFDict ? v : v instanceof PDFStream ? v.dict : undefined;
  };
  const name = (o: PDFObject | undefined) => (look(o) instanceof PDFName ? (look(o) as PDFName).decodeText() : undefined);
  const streamBytes = (s: PDFObject | undefined): Buffer | null => {
    const v = look(s);
    if (!(v instanceof PDFRawStream)) return null;
    const filter = name(v.dict.get(PDFName.of('Filter')));
    return filter === 'FlateDecode' ? zlib.inflateSync(Buffer.from(v.contents)) : Buffer.from(v.contents);
  };
  const text = (o: PDFObject | undefined) => {
    const v = look(o);
    return v instanceof PDFString || v instanceof PDFHexString ? v.decodeText() : undefined;
  };

  // Trailer: an /ID of two strings, no /Encrypt.
  const id = look(ctx.trailerInfo.ID);
  if (!(id instanceof PDFArray) || id.size() !== 2 || !(id.get(0) instanceof PDFHexString || id.get(0) instanceof PDFString)) out.push('trailer: /ID of two strings');
  if (ctx.trailerInfo.Encrypt) out.push('trailer: /Encrypt present');

  // Output intent: GTS_PDFA1 with an RGB ICC profile (N 3, v2 or v4, display or output class).
  const intents = look(doc.catalog.get(PDFName.of('OutputIntents')));
  const intent = intents instanceof PDFArray ? dict(intents.get(0)) : undefined;
  if (!intent || name(intent.get(PDFName.of('S'))) !== 'GTS_PDFA1') out.push('catalog: an OutputIntent with /S /GTS_PDFA1');
  else {
    const profileRef = intent.get(PDFName.of('DestOutputProfile'));
    const profile = streamBytes(profileRef);
    const n = (dict(profileRef)?.get(PDFName.of('N')) as PDFNumber | undefined)?.asNumber();
    if (!profile || n !== 3) out.push('output intent: DestOutputProfile stream with /N 3');
    else {
      const sig = profile.subarray(36, 40).toString('latin1');
      const space = profile.subarray(16, 20).toString('latin1');
      const cls = profile.subarray(12, 16).toString('latin1');
      if (sig !== 'acsp' || space !== 'RGB ' || !['mntr', 'prtr'].includes(cls) || profile[8]! > 4) out.push('output intent: an ICC v2/v4 RGB display or output profile');
      if (profile.readUInt32BE(0) !== profile.length) out.push('output intent: the ICC profile\'s size field matches its length');
    }
    if (!text(intent.get(PDFName.of('OutputConditionIdentifier')))) out.push('output intent: OutputConditionIdentifier');
  }

  // XMP: pdfaid part 2, conformance B, and the Info dictionary's facts.
  const xmp = streamBytes(doc.catalog.get(PDFName.of('Metadata')))?.toString('utf8') ?? '';
  if (!/<pdfaid:part>2<\/pdfaid:part>/.test(xmp)) out.push('XMP: pdfaid:part 2');
  if (!/<pdfaid:conformance>B<\/pdfaid:conformance>/.test(xmp)) out.push('XMP: pdfaid:conformance B');
  const info = dict(ctx.trailerInfo.Info);
  const infoDate = (key: string) => {
    const raw = text(info?.get(PDFName.of(key)));
    const m = raw && /^D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z/.exec(raw);
    return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : raw;
  };
  const xmpField = (tag: string) => new RegExp(`<${tag}>(?:<rdf:(?:Alt|Seq)><rdf:li[^>]*>)?([^<]*)<`).exec(xmp)?.[1];
  for (const [key, tag] of [['CreationDate', 'xmp:CreateDate'], ['ModDate', 'xmp:ModifyDate']] as const) {
    if (!infoDate(key) || infoDate(key) !== xmpField(tag)) out.push(`XMP: ${tag} (${xmpField(tag)}) = Info ${key} (${infoDate(key)})`);
  }
  const unescape = (s: string | undefined) => s?.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  for (const [key, tag] of [['Producer', 'pdf:Producer'], ['Title', 'dc:title'], ['Creator', 'xmp:CreatorTool'], ['Author', 'dc:creator']] as const) {
    const value = text(info?.get(PDFName.of(key)));
    if (value !== unescape(xmpField(tag))) out.push(`XMP: ${tag} (${xmpField(tag)}) = Info ${key} (${value})`);
  }

  // Every object: no JavaScript or launch actions, fonts embedded, CID TrueType fonts mapped.
  for (const d of allDictionaries(doc)) {
    const type = name(d.get(PDFName.of('Type')));
    const subtype = name(d.get(PDFName.of('Subtype')));
    if (['JavaScript', 'Launch'].includes(name(d.get(PDFName.of('S'))) ?? '')) out.push(`object: a ${name(d.get(PDFName.of('S')))} action`);
    if (d.has(PDFName.of('JS')) || d.has(PDFName.of('AA'))) out.push('object: /JS or /AA');
    if (subtype === 'CIDFontType2' && !d.has(PDFName.of('CIDToGIDMap'))) out.push('font: a CIDFontType2 without /CIDToGIDMap');
    if (type === 'FontDescriptor' && !['FontFile', 'FontFile2', 'FontFile3'].some((k) => d.has(PDFName.of(k)))) out.push(`font: ${name(d.get(PDFName.of('FontName')))} not embedded`);
    if (type === 'Font' && ['Type1', 'TrueType'].includes(subtype ?? '') && !d.has(PDFName.of('FontDescriptor'))) out.push(`font: ${name(d.get(PDFName.of('BaseFont')))} not embedded`);
    if (d.get(PDFName.of('Interpolate'))?.toString() === 'true') out.push('image: /Interpolate true');
  }
  const names = dict(doc.catalog.get(PDFName.of('Names')));
  if (names?.has(PDFName.of('JavaScript')) || names?.has(PDFName.of('EmbeddedFiles'))) out.push('catalog: document JavaScript or embedded files');

  // The file's structure, as qpdf reads it.
  const file = path.join(os.tmpdir(), `pagemill-pdfa-${process.pid}-${Math.random().toString(16).slice(2)}.pdf`);
  fs.writeFileSync(file, bytes);
  try {
    execFileSync('qpdf', ['--check', file], { stdio: 'pipe' });
  } catch (err) {
    out.push(`qpdf --check: ${String((err as { stdout?: Buffer }).stdout ?? err).slice(0, 300)}`);
  } finally {
    fs.rmSync(file, { force: true });
  }
  return out;
}
