/**
 * The largest image mask (/SMask, /Mask) a PDF holds, in pixels, read from its bytes.
 *
 * Why: pdf.js drops an image larger than `maxImageSize`, but checks only the image's own size, not
 * its mask's. A 2×2 image with a 34862×4332 soft mask (pdf.js's issue16263.pdf) is decoded and
 * blown up to the mask's size, 151 MP × 4 bytes, image after image: 2.6 GB for a 58 KB file. The
 * masks are found before any page is decoded: an image is a stream, and streams are never inside
 * object streams, so every image dictionary is plain text in the file, compressed or not.
 */

/** Past this, the file is not scanned (a cost of one pass over it): masks are then pdf.js's to bound. */
const SCAN_LIMIT_BYTES = 256 * 2 ** 20;
/** How far into an object its dictionary is looked for. */
const DICT_WINDOW = 4096;

export function largestMaskPixels(bytes: Uint8Array): number {
  if (bytes.byteLength > SCAN_LIMIT_BYTES) return 0;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const masks = new Set<string>();
  for (const m of text.matchAll(/\/S?Mask\s+(\d+)\s+(\d+)\s+R/g)) masks.add(`${m[1]} ${m[2]}`);
  if (masks.size === 0) return 0;
  let largest = 0;
  for (const m of text.matchAll(/(?<![0-9])(\d+)\s+(\d+)\s+obj\b/g)) {
    if (!masks.has(`${m[1]} ${m[2]}`)) continue;
    const start = m.index + m[0].length;
    const dict = text.slice(start, start + DICT_WINDOW).split(/\bstream\b|\bendobj\b/, 1)[0]!;
    const width = Number(/\/W(?:idth)?\s+(\d+)/.exec(dict)?.[1] ?? 0);
    const height = Number(/\/H(?:eight)?\s+(\d+)/.exec(dict)?.[1] ?? 0);
    largest = Math.max(largest, width * height);
  }
  return largest;
}
