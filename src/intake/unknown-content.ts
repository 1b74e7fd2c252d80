/**
 * Names what a refused file looks like, so a 415 says what was found rather than only what is
 * wanted: a GIF, a Word document or an HTML error page saved as ".pdf" are common mistakes.
 */
const SIGNATURES: [prefix: string, name: string][] = [
  ['GIF8', 'a GIF image'],
  ['PK\x03\x04', 'a ZIP archive (a DOCX, XLSX, ODT or EPUB is one)'],
  ['\xd0\xcf\x11\xe0', 'an old Microsoft Office document (DOC, XLS, PPT)'],
  ['{\\rtf', 'an RTF document'],
  ['\x1f\x8b', 'a gzip archive'],
  ['7z\xbc\xaf', 'a 7-Zip archive'],
  ['Rar!', 'a RAR archive'],
  ['\x00\x00\x00\x0cjP  ', 'a JPEG 2000 image'],
  ['%!PS', 'a PostScript file'],
];

export function describeContent(head: Buffer): string {
  const ascii = head.subarray(0, 64).toString('latin1');
  for (const [prefix, name] of SIGNATURES) if (ascii.startsWith(prefix)) return name;
  if (/^\s*(<!doctype html|<html)/i.test(ascii)) return 'an HTML page';
  if (/^\s*<\?xml|^\s*<svg/i.test(ascii)) return 'an XML or SVG document';
  const sample = head.subarray(0, 512);
  const printable = sample.filter((b) => b === 9 || b === 10 || b === 13 || (b >= 0x20 && b < 0x7f)).length;
  if (sample.length > 0 && printable / sample.length > 0.95) {
    return `text starting "${ascii.replace(/\s+/g, ' ').trim().slice(0, 24)}"`;
  }
  const hex = [...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `unrecognised content (its first bytes: ${hex})`;
}
