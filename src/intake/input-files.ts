import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';
import type { DocumentKind } from '../schemas/page-result.js';
import { describeContent } from './unknown-content.js';

/**
 * Everything about files clients name or send: never trusting a client's file name, sniffing the
 * type from the bytes, and picking names that cannot collide or escape their folder.
 */

export interface SniffedType { kind: DocumentKind; ext: string }

/**
 * pdf.js and poppler open a PDF whose `%PDF-` header follows junk (mail gateways, HTTP headers
 * saved with the body) or is missing altogether, if its objects and trailer are intact. So a late
 * header, or a trailer at the end, makes a PDF here, and pdf.js decides (invalid_pdf when it can't).
 */
export const PDF_HEADER_SCAN_BYTES = 64 * 1024;
export const PDF_TRAILER_SCAN_BYTES = 4 * 1024;

/** The type comes from the content, never from the name (a PNG called .pdf is still a PNG). */
export function sniffBytes(head: Buffer, tail: Buffer = Buffer.alloc(0)): SniffedType | null {
  const ascii = head.toString('latin1');
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { kind: 'image', ext: '.png' };
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { kind: 'image', ext: '.jpg' };
  if (ascii.startsWith('II*\0') || ascii.startsWith('MM\0*')) return { kind: 'image', ext: '.tif' };
  if (ascii.startsWith('BM') && head.length >= 26) return { kind: 'image', ext: '.bmp' };
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return { kind: 'image', ext: '.webp' };
  if (head.subarray(0, PDF_HEADER_SCAN_BYTES).includes('%PDF-')) return { kind: 'pdf', ext: '.pdf' };
  const end = tail.subarray(-PDF_TRAILER_SCAN_BYTES).toString('latin1');
  if (end.includes('startxref') || end.includes('%%EOF')) return { kind: 'pdf', ext: '.pdf' };
  return null;
}

export async function sniffFile(file: string): Promise<SniffedType> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size === 0) throw new AppError('empty_file');
    const head = Buffer.alloc(Math.min(PDF_HEADER_SCAN_BYTES, size));
    await handle.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(PDF_TRAILER_SCAN_BYTES, size));
    await handle.read(tail, 0, tail.length, size - tail.length);
    const type = sniffBytes(head, tail);
    if (!type) throw new AppError('unsupported_media_type', unsupportedMessage(head));
    return type;
  } finally {
    await handle.close();
  }
}

function unsupportedMessage(head: Buffer): string {
  return `Unsupported file type: this is ${describeContent(head)}, not an image (PNG, JPEG, TIFF, BMP, WebP) `
    + `and not a PDF (no "%PDF-" header in its first ${PDF_HEADER_SCAN_BYTES / 1024} KB, no "startxref" or "%%EOF" `
    + `in its last ${PDF_TRAILER_SCAN_BYTES / 1024} KB). Send a PDF or an image; the type is read from the content, not the name.`;
}

/**
 * Resolves a client-given name to a regular file inside the input folder. The name must be plain
 * (no "..", "/" or "\"), and its real path — after following symlinks — must still lie inside the
 * folder: a symlink to /etc is refused like "../../etc/passwd" is.
 */
export async function resolveNamedInput(inputDir: string, name: string): Promise<string> {
  if (name.trim() === '') throw new AppError('empty_filename');
  if (name.includes('..') || name.includes('/') || name.includes('\\') || name.includes('\0')) throw new AppError('invalid_filename');
  const root = await fs.realpath(inputDir).catch(() => path.resolve(inputDir));
  let real: string;
  try {
    real = await fs.realpath(path.join(root, name));
  } catch {
    throw new AppError('file_not_found', `File "${name}" was not found in the input folder; upload it first (POST /upload) or check the name (GET /documents).`);
  }
  if (!real.startsWith(root + path.sep)) throw new AppError('invalid_filename', 'The file resolves outside the input folder (a symlink?); only files inside it can be converted.');
  const stat = await fs.stat(real);
  if (!stat.isFile()) throw new AppError('invalid_filename', `"${name}" is not a regular file.`);
  return real;
}

/**
 * Stems are limited in UTF-8 bytes, not characters: file systems allow 255 bytes per name, and
 * the longest name made from a stem adds a conversion id, "_page_<n>_nohf.md" and a temporary
 * suffix (~45 bytes). 100 CJK characters are 300 bytes; 100 bytes leave a wide margin.
 */
export const MAX_STEM_BYTES = 100;

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes, cut between code points. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    bytes += Buffer.byteLength(ch);
    if (bytes > maxBytes) break;
    end += ch.length;
  }
  return text.slice(0, end);
}

/** A display stem that is safe as a folder and file name: "My Scan (1).PDF" → "My_Scan_1". */
export function safeStem(displayName: string): string {
  const base = path.basename(displayName.replace(/\\/g, '/'));
  const stem = base.includes('.') ? base.slice(0, base.lastIndexOf('.')) : base;
  const clean = stem.normalize('NFKC').replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^[._]+|_+$/g, '');
  return truncateUtf8(clean, MAX_STEM_BYTES).replace(/[._]+$/, '') || 'document';
}

/** A display name with no path and no control characters, for records and logs. */
export function displayName(name: string): string {
  return path.basename(name.replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255) || 'upload';
}
