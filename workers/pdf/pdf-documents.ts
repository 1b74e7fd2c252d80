import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import { statSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { getDocument, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { inThreadWorker } from './in-thread-port.js';
import { inflateWholeInputs } from './whole-input-inflate.js';
import { largestMaskPixels } from './oversize-masks.js';
import { TaskFailure } from '../task-errors.js';

const require = createRequire(import.meta.url);
const PDFJS_DIR = path.dirname(require.resolve('pdfjs-dist/package.json'));
const CACHE_SIZE = 2;

/**
 * A small per-thread cache of parsed PDFs, so page N+1 of the same document does not re-read and
 * re-parse the file. Two entries: the scheduler interleaves conversions, so a thread usually
 * alternates between a few documents.
 */
const cache = new Map<string, Promise<PDFDocumentProxy>>();

export interface OpenOptions { password?: string; maxImagePixels: number }

/**
 * The file's identity, not its path: a file replaced under the same name (even by one of the same
 * size, rewritten in place on the same inode) changes its mtime/ctime, so it is never served from
 * the parse of its predecessor.
 */
function fileIdentity(file: string): string {
  try {
    // Synchronous: this thread has nothing else to do meanwhile, and a stat through libuv's pool
    // for every page cost ten times the system call.
    const s = statSync(file, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (err) {
    throw new TaskFailure('invalid_pdf', `The document file could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
}

export async function openPdf(file: string, opts: OpenOptions): Promise<PDFDocumentProxy> {
  const key = `${fileIdentity(file)}\0${opts.password ?? ''}\0${opts.maxImagePixels}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const loading = load(file, opts);
  cache.set(key, loading);
  loading.catch(() => cache.delete(key));
  while (cache.size > CACHE_SIZE) {
    const [oldKey, old] = cache.entries().next().value!;
    cache.delete(oldKey);
    void old.then(destroyDocument).catch(() => undefined);
  }
  return loading;
}

/** Warnings on, so dropped images can be reported (see pdf-warnings.ts). */
const VERBOSITY = 1;

/** How pagemill has pdf.js open a document (all but its bytes and its worker). */
export function documentOptions(opts: OpenOptions) {
  return {
    password: opts.password,
    standardFontDataUrl: `${PDFJS_DIR}/standard_fonts/`,
    cMapUrl: `${PDFJS_DIR}/cmaps/`,
    cMapPacked: true,
    wasmUrl: `${PDFJS_DIR}/wasm/`,
    iccUrl: `${PDFJS_DIR}/iccs/`,
    // CVE-2024-4367: a crafted font would otherwise run attacker-controlled JavaScript.
    isEvalSupported: false,
    // Images above this are dropped by pdf.js (we detect and report that) instead of being
    // decoded into native memory that no heap limit accounts for.
    maxImageSize: opts.maxImagePixels,
    verbosity: VERBOSITY,
  };
}

async function load(file: string, opts: OpenOptions): Promise<PDFDocumentProxy> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    throw new TaskFailure('invalid_pdf', `The document file could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  inflateWholeInputs();
  const parser = await inThreadWorker(VERBOSITY);
  try {
    const maskPixels = largestMaskPixels(bytes);
    const doc = await getDocument({
      data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      worker: parser.worker,
      ...documentOptions(opts),
    }).promise;
    maskPixelsOf.set(doc, maskPixels);
    parsers.set(doc, parser);
    return doc;
  } catch (err) {
    parser.destroy();
    const e = err as { name?: string; message?: string };
    if (e?.name === 'PasswordException') throw err;
    throw new TaskFailure('invalid_pdf', `The PDF could not be read: ${(e?.message ?? 'unknown error').replace(/\.$/, '')}.`);
  }
}

const maskPixelsOf = new WeakMap<PDFDocumentProxy, number>();
/** Each document's in-thread pdf.js worker (see in-thread-port.ts): pdf.js leaves it to us to end. */
const parsers = new WeakMap<PDFDocumentProxy, { destroy(): void }>();

async function destroyDocument(doc: PDFDocumentProxy): Promise<void> {
  try {
    await doc.destroy();
  } finally {
    parsers.get(doc)?.destroy();
  }
}

/**
 * Refuses to decode a page of a document whose image masks exceed the decode limit (see
 * oversize-masks.ts): pdf.js would decode them at full size whatever `maxImageSize` says. Pages
 * read from their text layer never decode an image, so they are not affected.
 */
export function assertMasksWithinLimit(doc: PDFDocumentProxy, maxImagePixels: number): void {
  const pixels = maskPixelsOf.get(doc) ?? 0;
  if (pixels > maxImagePixels) {
    throw new TaskFailure('image_too_large', `An image mask in this PDF is ${Math.round(pixels / 1e6)} MP, above the ${Math.round(maxImagePixels / 1e6)} MP an image may have (MAX_PAGE_MEGAPIXELS × 4); pages without a text layer cannot be read.`);
  }
}

/** Pages processed per document since its caches were last dropped, weighed (see releasePageCaches). */
const sinceCleanup = new WeakMap<PDFDocumentProxy, number>();
const CLEANUP_EVERY_PAGES = 20;
/**
 * What a page that decoded no image (read from its text layer) counts toward CLEANUP_EVERY_PAGES:
 * it leaves fonts and text behind, not pixels. Measured on tracemonkey ×18 (252 text pages, one
 * thread): the heap after is the same (110 MB) dropping every 20 or every 100 pages, and reading the
 * text takes 5.7 instead of 6.6 ms a page, as shared fonts are parsed again 5 times less often.
 */
const TEXT_PAGE_WEIGHT = 0.2;
/**
 * Whatever the count, the caches go once this thread holds this much more than its lowest since
 * they last went: a document whose every page brings its own fonts (merged files, CJK subsets of
 * megabytes) would otherwise keep 100 pages of them.
 */
const CLEANUP_AFTER_GROWTH_BYTES = 64 * 1024 * 1024;
let lowestHeld: number | null = null;

/** This thread's JS heap and the buffers it holds outside it (pdf.js keeps fonts and images in typed arrays). */
function heldBytes(): number {
  const heap = v8.getHeapStatistics();
  return heap.used_heap_size + heap.external_memory;
}

/**
 * pdf.js keeps parsed page data (fonts, images, operator lists) for every page it has seen. A
 * thread working through a 1,000-page document would keep all of it; dropping the caches every
 * few pages, or when the thread's memory has grown, keeps it flat at the cost of re-parsing shared
 * fonts now and then. `held` is for tests.
 */
export async function releasePageCaches(doc: PDFDocumentProxy, decodedImages: boolean, held = heldBytes()): Promise<void> {
  const n = (sinceCleanup.get(doc) ?? 0) + (decodedImages ? 1 : TEXT_PAGE_WEIGHT);
  lowestHeld = Math.min(lowestHeld ?? held, held);
  // A little under the whole number, so that five text pages count as one page and not 0.999….
  if (n < CLEANUP_EVERY_PAGES - 1e-6 && held - lowestHeld < CLEANUP_AFTER_GROWTH_BYTES) return void sinceCleanup.set(doc, n);
  sinceCleanup.set(doc, 0);
  lowestHeld = null;
  await doc.cleanup().catch(() => undefined);
}
