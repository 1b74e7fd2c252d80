import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inflateWholeInputs } from '../../../workers/pdf/whole-input-inflate.js';

const platform = globalThis.DecompressionStream;
inflateWholeInputs();

/** What pdf.js does with a DecompressionStream (pdf.worker.mjs, asyncGetBytesFromDecompressionStream). */
async function asPdfJsReadsIt(format: string, bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array | null> {
  try {
    const { readable, writable } = new DecompressionStream(format as CompressionFormat);
    const writer = writable.getWriter();
    await writer.ready;
    writer.write(bytes).then(async () => {
      await writer.ready;
      await writer.close();
    }).catch(() => {});
    const chunks: Uint8Array[] = [];
    for await (const chunk of readable as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
    return Buffer.concat(chunks);
  } catch {
    return null; // pdf.js then decodes the stream in JavaScript
  }
}

describe('inflateWholeInputs', () => {
  const text = Buffer.from('BT /F1 12 Tf 72 712 Td (A content stream, inflated in one go) Tj ET\n'.repeat(500));

  it('gives the bytes zlib gives, in place of the platform\'s stream', async () => {
    expect(globalThis.DecompressionStream).not.toBe(platform);
    const out = await asPdfJsReadsIt('deflate', zlib.deflateSync(text));
    expect(Buffer.from(out!).equals(text)).toBe(true);
  });

  it('fails on a cut-off stream as the platform\'s does, so pdf.js falls back to its own decoder', async () => {
    const cut = zlib.deflateSync(text).subarray(0, 200);
    expect(await asPdfJsReadsIt('deflate', cut)).toBeNull();
    const original = new platform('deflate');
    const writer = original.writable.getWriter();
    writer.write(cut).then(() => writer.close()).catch(() => {});
    await expect((async () => { for await (const _ of original.readable as unknown as AsyncIterable<Uint8Array>) { /* drain */ } })()).rejects.toThrow();
  });

  it('inflates a large output (an image) through the platform\'s stream, to the same bytes', async () => {
    const image = Buffer.alloc(12 * 1024 * 1024, 0xff);
    for (let i = 0; i < image.length; i += 4099) image[i] = i & 0xff;
    const deflated = zlib.deflateSync(image);
    const out = await asPdfJsReadsIt('deflate', deflated);
    expect(Buffer.from(out!).equals(image)).toBe(true);
    expect(await asPdfJsReadsIt('deflate', deflated.subarray(0, deflated.length >> 1))).toBeNull();
  });

  it('leaves other formats to the platform', async () => {
    expect(new DecompressionStream('gzip')).toBeInstanceOf(platform);
    const out = await asPdfJsReadsIt('gzip', zlib.gzipSync(text));
    expect(Buffer.from(out!).equals(text)).toBe(true);
  });
});
