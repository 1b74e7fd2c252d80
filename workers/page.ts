import { pageFileTexts } from './layout/page-files.js';
import type { Envelope, InspectResult, InspectTask, PageOutput, PageTask, PreviewTask, SearchablePdfTask, SearchablePdfResult } from '../src/schemas/page-result.js';
import { processImagePage } from './raster/image-page.js';
import { pdfPageCount, processPdfPage } from './pdf/pdf-page.js';
import { renderPagePreview } from './raster/page-preview.js';
import { buildSearchablePdf as build } from './pdf/searchable-pdf.js';
import { toEnvelope } from './task-errors.js';
import { runAtPoolPriority } from './thread-priority.js';

/**
 * The Piscina tasks. A worker never touches HTTP or the job store: one task in, one envelope out.
 * Envelopes instead of throws, because Piscina drops an error's name and code on the way back.
 */

/** Counts pages (and, for PDFs, proves the file opens: damaged or encrypted files fail here). */
export async function inspect(task: InspectTask & { max_megapixels: number }): Promise<Envelope<InspectResult>> {
  runAtPoolPriority();
  return toEnvelope(async () => {
    if (task.kind === 'image') return { page_count: 1 };
    return { page_count: await pdfPageCount(task.path, task.password, task.max_megapixels) };
  }, 'invalid_pdf');
}

export async function processPage(task: PageTask): Promise<Envelope<PageOutput>> {
  runAtPoolPriority();
  const started = performance.now();
  return toEnvelope(async () => {
    const out = task.kind === 'pdf' ? await processPdfPage(task) : await processImagePage(task);
    const page = { ...out.page, duration_ms: Math.round(performance.now() - started) };
    return {
      page: { page_no: page.page_no, source: page.source, confidence: page.confidence, duration_ms: page.duration_ms },
      files: pageFileTexts(page, task.prompt_mode),
      textLayerPdf: out.textLayerPdf,
      preview: out.preview,
    };
  }, task.kind === 'pdf' ? 'render_failed' : 'invalid_image');
}

export async function buildSearchablePdf(task: SearchablePdfTask): Promise<Envelope<SearchablePdfResult>> {
  runAtPoolPriority();
  return toEnvelope(() => build(task), 'render_failed');
}

/** The `_page_<i>.jpg` of a text-layer page, drawn when someone asks for it. */
export async function pagePreview(task: PreviewTask): Promise<Envelope<Uint8Array>> {
  runAtPoolPriority();
  return toEnvelope(() => renderPagePreview(task), 'render_failed');
}

/** Start-up check: proves a thread can load the task module (and its dependencies). */
export async function ping(): Promise<'pong'> {
  runAtPoolPriority();
  return 'pong';
}
