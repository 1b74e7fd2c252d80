/**
 * The largest image mask (/SMask, /Mask) a PDF holds, in pixels, read from its bytes.
 *
 * Why: pdf.js drops an image larger than `maxImageSize`, but checks only the image's own size, not
 * its mask's. A 2×2 image with a 34862×4332 soft mask (pdf.js's issue16263.pdf) is decoded and
 * blown up to the mask's size, 151 MP × 4 bytes, image after image: 2.6 GB for a 58 KB file. The
 * masks are found before any page is decoded: an image is a stream, and streams are never inside
 * object streams, so every image dictionary is plain text in the file, compressed or not.
 */

/** How far into an object its dictionary is looked for, and how much of a reference is read. */
const DICT_WINDOW = 4096;
const REF_WINDOW = 40;

const latin1 = (bytes: Buffer, from: number, length: number) => bytes.toString('latin1', from, Math.min(bytes.length, from + length));

/**
 * Searched in the bytes, a window at a time: turning a whole file into one string would hold a
 * copy of it per pool thread, for a check that exists to save memory.
 */
export function largestMaskPixels(data: Uint8Array): number {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const masks = new Set<string>();
  for (let at = bytes.indexOf('Mask'); at !== -1; at = bytes.indexOf('Mask', at + 4)) {
    const ref = /^Mask\s+(\d+)\s+(\d+)\s+R/.exec(latin1(bytes, at, REF_WINDOW));
    if (ref && (bytes[at - 1] === 0x2f || (bytes[at - 1] === 0x53 && bytes[at - 2] === 0x2f))) masks.add(`${ref[1]} ${ref[2]}`);
  }
  let largest = 0;
  // one pass over the object headers ("12 0 obj"), whatever the number of masks
  for (let at = bytes.indexOf('obj'); at !== -1; at = bytes.indexOf('obj', at + 3)) {
    const head = /(?:^|[^0-9])(\d+)\s+(\d+)\s+$/.exec(latin1(bytes, Math.max(0, at - 24), Math.min(at, 24)));
    if (!head || !masks.has(`${head[1]} ${head[2]}`)) continue;
    const dict = latin1(bytes, at + 3, DICT_WINDOW).split(/\bstream\b|\bendobj\b/, 1)[0]!;
    const width = Number(/\/W(?:idth)?\s+(\d+)/.exec(dict)?.[1] ?? 0);
    const height = Number(/\/H(?:eight)?\s+(\d+)/.exec(dict)?.[1] ?? 0);
    largest = Math.max(largest, width * height);
  }
  return largest;
}
