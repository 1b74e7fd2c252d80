import fs from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { ConversionRow } from '../../schemas/conversion-rows.js';
import { TEXT_FORMATS, type TextFormat } from '../../schemas/convert-options.js';
import { assembleDocument } from '../../outputs/assemble-document.js';
import { linkFileAtomic } from '../../outputs/conversion-files.js';
import { VERSION } from '../../version.js';
import type { BlobStore } from '../contracts/blob-store.js';
import type { ConversionStore } from '../contracts/conversion-store.js';
import type { DocumentTasks } from '../contracts/page-runner.js';
import { formatsOf, onDemandFormatsOf } from './conversion-records.js';
import { crashed, type ConversionLifecycle } from './conversion-lifecycle.js';

/**
 * The end of a conversion whose pages are all finished: assembles the documents from the page
 * results, builds the searchable PDF, records `completed` (or `error` when no page could be read)
 * and publishes the terminal frame.
 */
export class ConversionFinalizer {
  private readonly finalizing = new Set<string>();

  constructor(
    private readonly config: Config,
    private readonly store: ConversionStore,
    private readonly blobs: BlobStore,
    private readonly tasks: Pick<DocumentTasks, 'searchablePdf'>,
    private readonly lifecycle: ConversionLifecycle,
    private readonly log: Logger,
    /** Aborted when the process shuts down: a PDF being built is stopped and assembled again on restart. */
    private readonly lifetime: AbortSignal,
  ) {}

  isFinalizing(id: string): boolean {
    return this.finalizing.has(id);
  }

  async finalize(id: string): Promise<void> {
    if (this.finalizing.has(id)) return;
    this.finalizing.add(id);
    const { lifecycle } = this;
    lifecycle.markBusy(id, 1);
    const log = this.log.child({ conversion_id: id });
    try {
      if (!lifecycle.stepAllowed(id, 'assembling')) return;
      const row = this.store.get(id)!;
      log.info('assembling results');
      lifecycle.publishProgress(row, 'assembling', null, null);
      const formats = formatsOf(row);
      // Formats made on their first download are left out (see OnDemandDocuments).
      const later = onDemandFormatsOf(row);
      const textFormats = formats.filter((f): f is TextFormat => (TEXT_FORMATS as readonly string[]).includes(f) && !later.includes(f as TextFormat));
      const meta = { conversionId: id, filename: row.filename, promptMode: row.prompt_mode, chunkTokens: row.chunk_tokens };
      const files = this.blobs.files(row);
      // A file under a deferred format's name is not this conversion's (an output folder kept
      // while the database was reset): it would be served as this one's document.
      await Promise.all(later.map((f) => fs.rm(files.document(f), { force: true })));
      const results = await assembleDocument(files, this.store.pages(id), meta, textFormats);
      const pdfNotes = row.pages_done > 0 ? await this.buildSearchablePdfs(row, formats) : '';
      const failed = results.flatMap((r) => (r.error ? [r.error] : []));
      if (row.pages_done === 0) {
        // Nothing could be read: the conversion fails with its pages' reason.
        return lifecycle.fail(id, { code: failed[0]?.code ?? 'render_failed', message: failed[0]?.message ?? 'No page could be read.' });
      }
      const message = (failed.length
        ? `Conversion completed: ${row.pages_done} of ${row.total_pages} pages; ${failed.length} failed`
        : `Conversion completed: ${row.total_pages} page${row.total_pages === 1 ? '' : 's'}`) + pdfNotes;
      const done = this.store.finish(id, 'completed', message);
      if (!done) return;
      lifecycle.ended(id);
      log.info({ pages: row.total_pages, failed: failed.length }, 'conversion completed');
      lifecycle.publishEnd(done, results);
    } catch (err) {
      log.error({ err }, 'could not assemble results');
      lifecycle.fail(id, lifecycle.failureOf(err, 'The results', crashed('The results could not be assembled.')));
    } finally {
      lifecycle.stepEnded(id);
      this.finalizing.delete(id);
      lifecycle.markBusy(id, -1);
    }
  }

  /**
   * The searchable PDFs asked for: `pdf` (PDF/A too with PDF_OUTPUT=pdfa) and `pdfa`. When both
   * are PDF/A the file is built once and linked under the second name. Returns what the
   * conversion's message should add ('' when all went well).
   */
  private async buildSearchablePdfs(row: ConversionRow, formats: readonly string[]): Promise<string> {
    const files = this.blobs.files(row);
    const plainIsPdfA = this.config.PDF_OUTPUT === 'pdfa';
    const wanted = (['pdf', 'pdfa'] as const).filter((f) => formats.includes(f));
    let notes = '';
    let pdfA: string | null = null;
    for (const format of wanted) {
      const asPdfA = format === 'pdfa' || plainIsPdfA;
      if (asPdfA && pdfA) {
        await linkFileAtomic(pdfA, files.document(format));
        continue;
      }
      const built = await this.buildSearchablePdf(row, format, asPdfA);
      if (built.failed) notes += `; no searchable PDF (${format}): ${built.failed}`;
      else if (built.doubt) notes += `; ${built.doubt}`;
      if (!built.failed && asPdfA) pdfA = files.document(format);
    }
    return notes;
  }

  /**
   * Builds a searchable PDF in a worker (pdf-lib parses the whole original, too heavy for the
   * event loop). A failure costs the PDF, not the conversion: returns the reason; for a PDF/A,
   * also what in it may not conform (born-digital pages' fonts not embedded).
   */
  private async buildSearchablePdf(row: ConversionRow, format: 'pdf' | 'pdfa', asPdfA: boolean): Promise<{ failed?: string; doubt?: string }> {
    const files = this.blobs.files(row);
    const layers = [];
    for (const p of this.store.pages(row.id)) {
      if (p.status !== 'done' || p.source !== 'ocr') continue;
      const page = await this.blobs.readPage(row, p.page_no);
      const layerPath = files.textLayer(p.page_no);
      if (!page || !(await fs.stat(layerPath).catch(() => null))) continue;
      layers.push({ page_no: p.page_no, layer_path: layerPath, rotation: page.rotation, dpi: page.dpi, skew: page.skew ?? 0 });
    }
    const timeoutMs = (this.config.PAGE_TIMEOUT_S + (row.total_pages ?? 1)) * 1000;
    const task = {
      kind: row.kind, source_path: this.blobs.sourcePath(row), out_path: files.document(format), layers,
      ...(asPdfA ? { pdfa: { title: row.filename, producer: `pagemill ${VERSION}` } } : {}),
    };
    const result = await this.tasks.searchablePdf(task, this.lifetime, timeoutMs);
    if (result.ok) {
      const doubts = result.value.pdfa_problems;
      if (!doubts?.length) return {};
      this.log.warn({ conversion_id: row.id, problems: doubts }, 'PDF/A made, but it may not conform');
      return { doubt: `the ${format} may not be valid PDF/A: ${doubts.slice(0, 3).join(', ')}${doubts.length > 3 ? ', …' : ''}` };
    }
    this.log.warn({ conversion_id: row.id, code: result.error.code, reason: result.error.message }, 'searchable PDF not produced');
    return { failed: result.error.message };
  }
}
