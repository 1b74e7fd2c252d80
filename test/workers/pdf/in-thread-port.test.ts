import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDocument, OPS, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { handedOver, InThreadPort } from '../../../workers/pdf/in-thread-port.js';
import { documentOptions, openPdf } from '../../../workers/pdf/pdf-documents.js';
import { structuredPdf } from '../../fixtures/structured-pdf.js';
import { ruledTablePdf } from '../../fixtures/table-pdf.js';

describe('what the in-thread port hands over', () => {
  it('a text-content chunk: its items as they are, the chunk itself a copy (pdf.js puts new arrays on the one it reuses)', () => {
    const textContent = { items: [{ str: 'a', transform: [1, 0, 0, 1, 0, 0] }], styles: { f1: { ascent: 1 } }, lang: null };
    const message = { sourceName: 'worker', targetName: 'main', stream: 4, streamId: 1, chunk: textContent };
    const got = handedOver(message) as typeof message;
    textContent.items = [];
    textContent.styles = {} as typeof textContent.styles;
    expect(got.chunk.items).toEqual([{ str: 'a', transform: [1, 0, 0, 1, 0, 0] }]);
    expect(got.chunk.styles).toEqual({ f1: { ascent: 1 } });
  });

  it('an operator-list chunk: a clone (pdf.js empties its arrays in place after sending)', () => {
    const chunk = { fnArray: [OPS.save, OPS.restore], argsArray: [null, null], lastChunk: false, separateAnnots: null };
    const got = handedOver({ stream: 4, streamId: 2, chunk }) as { chunk: typeof chunk };
    chunk.fnArray.length = 0;
    chunk.argsArray.length = 0;
    expect(got.chunk.fnArray).toEqual([OPS.save, OPS.restore]);
    expect(got.chunk.argsArray).toEqual([null, null]);
  });

  it('plain messages copied, anything else cloned as structuredClone does (transfers included)', () => {
    const pull = { sourceName: 'main', targetName: 'worker', stream: 3, streamId: 1, desiredSize: 100 };
    expect(handedOver(pull)).toEqual(pull);
    expect(handedOver(pull)).not.toBe(pull);
    const nested = { action: 'GetPage', data: { pageIndex: 0 } };
    const copy = handedOver(nested) as typeof nested;
    expect(copy).toEqual(nested);
    expect(copy.data).not.toBe(nested.data);
    const buffer = new ArrayBuffer(8);
    const moved = handedOver({ chunk: buffer }, [buffer]) as { chunk: ArrayBuffer };
    expect(moved.chunk.byteLength).toBe(8);
    expect(buffer.byteLength).toBe(0);
    expect(() => handedOver({ f: () => 1 })).toThrow();
  });
});

describe('the in-thread port', () => {
  it('delivers a microtask later to every listener, and drops one whose abort signal fires (as pdf.js\'s message handlers expect)', async () => {
    const port = new InThreadPort();
    const seen: string[] = [];
    const stop = new AbortController();
    port.addEventListener('message', (e) => seen.push(`a:${(e.data as { n: number }).n}`));
    port.addEventListener('message', (e) => seen.push(`b:${(e.data as { n: number }).n}`), { signal: stop.signal });
    port.postMessage({ n: 1 });
    expect(seen).toEqual([]);
    await Promise.resolve();
    expect(seen).toEqual(['a:1', 'b:1']);
    stop.abort();
    port.postMessage({ n: 2 });
    await Promise.resolve();
    expect(seen).toEqual(['a:1', 'b:1', 'a:2']);
  });
});

describe('a document read through the in-thread port', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-port-'));
    await fs.writeFile(path.join(dir, 'structured.pdf'), await structuredPdf());
    await fs.writeFile(path.join(dir, 'table.pdf'), await ruledTablePdf());
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  /** Every page's text items and operator list. */
  const read = async (doc: PDFDocumentProxy) => {
    const pages = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const { items, styles } = await page.getTextContent();
      const ops = await page.getOperatorList();
      pages.push({ items, styles, fnArray: ops.fnArray, argsArray: ops.argsArray });
    }
    return pages;
  };

  it.each(['structured.pdf', 'table.pdf'])('%s reads as with pdf.js\'s own fake worker', async (name) => {
    const file = path.join(dir, name);
    const opts = { maxImagePixels: 100e6 };
    const ours = await read(await openPdf(file, opts));
    // pdf.js's own fake worker: what getDocument sets up when it is given no worker.
    const stock = await getDocument({ data: new Uint8Array(await fs.readFile(file)), ...documentOptions(opts) }).promise;
    try {
      const theirs = await read(stock);
      expect(ours.flatMap((p) => p.items).length).toBeGreaterThan(0);
      // Fonts are named after their document's number (g_d0_f1, g_d1_f1): the one difference.
      const plain = (pages: unknown) => JSON.parse(JSON.stringify(pages).replace(/g_d\d+_/g, 'g_d_')) as unknown;
      expect(plain(ours)).toEqual(plain(theirs));
    } finally {
      await stock.destroy();
    }
  });
});
