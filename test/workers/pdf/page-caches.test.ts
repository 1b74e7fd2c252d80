import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { releasePageCaches } from '../../../workers/pdf/pdf-documents.js';

/** A document that only counts how often its caches are dropped. */
function countingDoc() {
  const doc = { cleanups: 0, cleanup: async () => void doc.cleanups++ };
  return doc;
}

type CountingDoc = ReturnType<typeof countingDoc>;

/** `pages` pages of `doc` released one after another, the thread holding `heldMb` MB each time. */
async function release(doc: CountingDoc, pages: number, decodedImages: boolean, heldMb = 0): Promise<void> {
  for (let i = 0; i < pages; i++) await releasePageCaches(doc as unknown as PDFDocumentProxy, decodedImages, heldMb * 1024 * 1024);
}

describe('releasePageCaches', () => {
  it('drops a document\'s caches every 20 pages that decoded images', async () => {
    const doc = countingDoc();
    await release(doc, 59, true);
    expect(doc.cleanups).toBe(2);
    await release(doc, 1, true);
    expect(doc.cleanups).toBe(3);
  });

  it('drops them sooner when the thread has grown by 64 MB since its lowest, whatever the count', async () => {
    const doc = countingDoc();
    for (const held of [300, 250, 280, 313]) await release(doc, 1, false, held); // 63 MB over the lowest, 250
    expect(doc.cleanups).toBe(0);
    await release(doc, 1, false, 315);
    expect(doc.cleanups).toBe(1);
    await release(doc, 1, false, 500); // counted from here again
    await release(doc, 1, false, 560);
    expect(doc.cleanups).toBe(1);
  });

  it('lets text pages count a fifth: every 100 of them, or sooner mixed with decoded ones', async () => {
    const text = countingDoc();
    await release(text, 99, false);
    expect(text.cleanups).toBe(0);
    await release(text, 1, false);
    expect(text.cleanups).toBe(1);
    const mixed = countingDoc();
    await release(mixed, 50, false); // counts 10
    await release(mixed, 10, true);
    expect(mixed.cleanups).toBe(1);
  });
});
