import type { Envelope, InspectResult, InspectTask, PageResult, PageTask } from '../src/schemas/page-result.js';
import { processImagePage } from './image-page.js';
import { pdfPageCount, processPdfPage } from './pdf-page.js';
import { toEnvelope } from './task-errors.js';

/**
 * The Piscina tasks. A worker never touches HTTP or the job store: one task in, one envelope out.
 * Envelopes instead of throws, because Piscina drops an error's name and code on the way back.
 */

/** Counts pages (and, for PDFs, proves the file opens: damaged or encrypted files fail here). */
export async function inspect(task: InspectTask & { max_megapixels: number }): Promise<Envelope<InspectResult>> {
  return toEnvelope(async () => {
    if (task.kind === 'image') return { page_count: 1 };
    return { page_count: await pdfPageCount(task.path, task.password, task.max_megapixels) };
  }, 'invalid_pdf');
}

export async function processPage(task: PageTask): Promise<Envelope<PageResult>> {
  const started = performance.now();
  return toEnvelope(async () => {
    const result = task.kind === 'pdf' ? await processPdfPage(task) : await processImagePage(task);
    return { ...result, duration_ms: Math.round(performance.now() - started) };
  }, task.kind === 'pdf' ? 'render_failed' : 'invalid_image');
}

/** Start-up check: proves a thread can load the task module (and its dependencies). */
export async function ping(): Promise<'pong'> {
  return 'pong';
}
