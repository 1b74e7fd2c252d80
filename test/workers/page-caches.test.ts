import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { releasePageCaches } from '../../workers/pdf-documents.js';

/** A document that only counts how often its caches are dropped. */
function countingDoc() {
  const doc = { cleanups: 0, cleanup: async () => void doc.cleanups++ };
  return doc;
}

describe('releasePageCaches', () => {
  it('drops a document\'s caches every 20 pages that decoded images', async () => {
    const doc = countingDoc();
    for (let i = 0; i < 59; i++) await releasePageCaches(doc as unknown as PDFDocumentProxy, true, 0);
    expect(doc.cleanups).toBe(2);
    await releasePageCaches(doc as unknown as PDFDocumentProxy, true, 0);
    expect(doc.cleanups).toBe(3);
  });

  it('drops them sooner when the thread has grown by 64 MB since its lowest, whatever the count', async () => {
    const doc = countingDoc();
    const MB = 1024 * 1024;
    const release = (heldMb: number) => releasePageCaches(doc as unknown as PDFDocumentProxy, false, heldMb * MB);
    for (const held of [300, 250, 280, 313]) await release(held); // 63 MB over the lowest, 250
    expect(doc.cleanups).toBe(0);
    await release(315);
    expect(doc.cleanups).toBe(1);
    await release(500); // counted from here again
    await release(560);
    expect(doc.cleanups).toBe(1);
  });

  it('lets text pages count a fifth: every 100 of them, or sooner mixed with decoded ones', async () => {
    const text = countingDoc();
    for (let i = 0; i < 99; i++) await releasePageCaches(text as unknown as PDFDocumentProxy, false, 0);
    expect(text.cleanups).toBe(0);
    await releasePageCaches(text as unknown as PDFDocumentProxy, false, 0);
    expect(text.cleanups).toBe(1);
    const mixed = countingDoc();
    for (let i = 0; i < 50; i++) await releasePageCaches(mixed as unknown as PDFDocumentProxy, false, 0); // counts 10
    for (let i = 0; i < 10; i++) await releasePageCaches(mixed as unknown as PDFDocumentProxy, true, 0);
    expect(mixed.cleanups).toBe(1);
  });
});
