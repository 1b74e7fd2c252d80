import fs from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { TaskError } from '../schemas/page-result.js';
import { TERMINAL_STATUSES } from '../schemas/conversion.js';
import type { Languages } from '../pipeline/languages.js';
import { selectPages } from '../pipeline/page-range.js';
import { TEXT_FORMATS, type TextFormat } from '../outputs/document-formats.js';
import { conversionFiles } from '../outputs/conversion-files.js';
import { assembleDocument } from '../pipeline/assemble-document.js';
import { readPageResult, writePageOutputs } from '../pipeline/page-output.js';
import { batchCounts, etaIso, formatsOf, progressOf } from './conversion-records.js';
import type { ConversionRow, JobStore, PageOutcome } from './job-store.js';
import { PageScheduler } from './page-scheduler.js';
import { InspectGate } from './inspect-gate.js';
import type { PageRunner } from './page-runner.js';
import { PageTimings } from './page-timings.js';
import type { ProgressEvents } from './progress-events.js';
import type { StorageHealth } from './storage-health.js';
import { storageFailure } from '../storage-errors.js';
import { inConversion } from '../conversion-context.js';

/** A page that crashed its thread is retried once; the second crash fails it. */
const MAX_PAGE_ATTEMPTS = 2;
/** Same rule for the whole-conversion steps (inspect, assemble): tried again once after a crash, then failed. */
const MAX_STEP_ATTEMPTS = 2;
const SHUTDOWN = Symbol('shutdown');
const crashed = (message: string): TaskError => ({ code: 'worker_crashed', message });

/**
 * Runs conversions: inspect (page count) → pages through the scheduler → assemble → completed |
 * error | cancelled, with retries of crashed pages, progress events, and recovery after a restart.
 * Every step is recorded in the store first, so a crash at any point resumes where it stopped.
 */
export class ConversionWorkflow {
  private readonly scheduler: PageScheduler;
  /** Non-terminal conversions this process is working on, and those with work running right now. */
  private readonly live = new Set<string>();
  private readonly busy = new Map<string, number>();
  private readonly finalizing = new Set<string>();
  /** Conversions being inspected or waiting for it: queued, not running (they count against MAX_QUEUED_CONVERSIONS). */
  private readonly inspecting = new Set<string>();
  private readonly inspectGate: InspectGate;
  private readonly lifetime = new AbortController();
  private readonly timings = new PageTimings();

  constructor(
    private readonly config: Config,
    private readonly store: JobStore,
    private readonly runner: PageRunner,
    private readonly languages: Languages,
    private readonly events: ProgressEvents,
    private readonly log: Logger,
    private readonly storage: StorageHealth,
  ) {
    this.scheduler = new PageScheduler(runner.capacity, (id, pageNo, signal, threadFree) =>
      inConversion(id, () => this.executePage(id, pageNo, signal, threadFree)));
    this.inspectGate = new InspectGate(runner.capacity);
  }

  /** Starts work on a freshly accepted conversion. */
  begin(row: ConversionRow): void {
    this.live.add(row.id);
    this.track(row.id, () => this.inspectAndSchedule(row));
  }

  /**
   * Runs a step of a conversion in its context (so a crash handler can name it). Whatever the
   * step lets escape ends the conversion, logged with its id: never an unhandled rejection.
   */
  private track(id: string, step: () => Promise<void>): void {
    inConversion(id, step).catch((err: unknown) => {
      this.log.error({ err, conversion_id: id }, 'conversion step failed');
      this.fail(id, this.failureOf(err, 'The conversion', crashed('The conversion stopped on an internal error.')));
    });
  }

  /** A storage failure becomes its storage code (and /ready reports it); anything else `fallback`. */
  private failureOf(err: unknown, what: string, fallback: TaskError): TaskError {
    this.storage.report(err, what);
    return storageFailure(err, what) ?? fallback;
  }

  /**
   * Counts a try of a whole-conversion step. A step the process died in on every try is not
   * replayed forever: past MAX_STEP_ATTEMPTS the conversion fails. Returns whether to go on.
   */
  private stepAllowed(id: string, step: string): boolean {
    const tries = this.store.beginStep(id);
    if (tries <= MAX_STEP_ATTEMPTS) return true;
    this.log.error({ conversion_id: id, step, tries }, 'the server stopped in this step on every try; giving up');
    this.fail(id, crashed(`The server stopped ${tries - 1} times while ${step} this conversion; it was given up.`));
    return false;
  }

  /** A try that ended — well, with a handled error, or stopped by a graceful shutdown — does not count. */
  private stepEnded(id: string): void {
    try {
      this.store.endStep(id);
    } catch (err) {
      this.storage.report(err, 'database');
    }
  }

  counts(): { live: number; busy: number; queued_pages: number; active_pages: number } {
    const s = this.scheduler.stats();
    return { live: this.live.size, busy: this.busy.size, queued_pages: s.queued_pages, active_pages: s.active_pages };
  }

  /** Whether the conversion has work running now (a page on a worker, or its results being assembled). */
  isRunning(id: string): boolean {
    return this.busy.has(id);
  }

  /** Seconds left for a conversion whose pages this process runs; null when not measured yet. */
  etaOf(row: ConversionRow): number | null {
    return this.timings.estimate(row);
  }

  batchesOf(row: ConversionRow) {
    return row.total_pages ? batchCounts(this.store.batches(row.id, this.config.BATCH_SIZE, row.status === 'processing')) : null;
  }

  private filesOf(row: ConversionRow) {
    return conversionFiles(this.config, row);
  }

  /** Ends a conversion as cancelled and stops its pages; undefined when it had already ended. */
  cancel(id: string): ConversionRow | undefined {
    const done = this.store.finish(id, 'cancelled', 'Conversion cancelled');
    if (!done) return undefined;
    this.live.delete(id);
    this.timings.forget(id);
    const stopped = this.scheduler.cancel(id, 'cancelled');
    this.log.info({ conversion_id: id, pages_stopped: stopped }, 'conversion cancelled');
    this.events.publish({ conversion_id: id, status: 'cancelled', progress: progressOf(done), message: done.message, timestamp: new Date().toISOString() });
    return done;
  }

  private markBusy(id: string, delta: 1 | -1): void {
    const n = (this.busy.get(id) ?? 0) + delta;
    if (n <= 0) this.busy.delete(id);
    else this.busy.set(id, n);
  }

  private async inspectAndSchedule(row: ConversionRow): Promise<void> {
    const log = this.log.child({ conversion_id: row.id });
    this.inspecting.add(row.id);
    let stepped = false;
    try {
      const inspected = await this.inspectGate.run(async () => {
        // Cancelled or shutting down while waiting for a slot: nothing to inspect.
        const now = this.store.get(row.id);
        if (this.lifetime.signal.aborted || !now || TERMINAL_STATUSES.includes(now.status)) return null;
        // Counted only once it really runs: a crash while it waited for a slot was not its fault.
        stepped = true;
        if (!this.stepAllowed(row.id, 'inspecting')) return null;
        return this.runner.inspect({ kind: row.kind, path: row.source_path, password: this.store.passwordOf(row) }, this.lifetime.signal);
      });
      if (!inspected || this.lifetime.signal.aborted) return; // shutting down: stays pending, resumed on restart
      if (!inspected.ok) return this.fail(row.id, inspected.error);
      const pages = inspected.value.page_count;
      if (pages === 0) return this.fail(row.id, { code: 'invalid_pdf', message: 'The PDF has no pages.' });
      const selected = selectPages(row.page_range, pages);
      if (selected.length === 0) return this.fail(row.id, { code: 'no_pages_selected', message: `pages=${row.page_range} selects none of the document's ${pages} pages.` });
      if (selected.length > this.config.MAX_PAGES) {
        return this.fail(row.id, { code: 'too_many_pages', message: `The document has ${pages} pages; MAX_PAGES is ${this.config.MAX_PAGES}.` });
      }
      await this.filesOf(row).prepare();
      if (!this.store.start(row.id, pages, selected, new Date().toISOString())) return; // cancelled meanwhile
      log.info({ pages: selected.length, document_pages: pages, batches: Math.ceil(pages / this.config.BATCH_SIZE) }, 'conversion started');
      this.publishProgress(this.store.get(row.id)!, 'inspected', null, null);
      this.scheduler.enqueue(row.id, selected, row.priority);
    } catch (err) {
      log.error({ err }, 'could not start conversion');
      this.fail(row.id, this.failureOf(err, 'Results', crashed('The conversion could not be started.')));
    } finally {
      this.inspecting.delete(row.id);
      if (stepped) this.stepEnded(row.id);
    }
  }

  private async executePage(id: string, pageNo: number, signal: AbortSignal, threadFree: () => void): Promise<void> {
    const row = this.store.get(id);
    if (!row || TERMINAL_STATUSES.includes(row.status)) return;
    const log = this.log.child({ conversion_id: id, page: pageNo });
    this.markBusy(id, 1);
    try {
      this.store.markPageRunning(id, pageNo);
      this.timings.started(id, pageNo);
      const result = await this.runner.runPage({
        kind: row.kind, path: row.source_path, page_no: pageNo, password: this.store.passwordOf(row), dpi: this.config.RENDER_DPI,
        max_megapixels: this.config.MAX_PAGE_MEGAPIXELS, lang: row.lang, tessdata_dir: this.languages.dir, tessdata_gzip: this.languages.gzip,
        ocr_recycle_pages: this.config.OCR_RECYCLE_PAGES, ocr_mode: row.ocr_mode, layout_only: row.prompt_mode === 'prompt_layout_only_en',
        detect_orientation: this.languages.hasOsd, text_layer_pdf: formatsOf(row).includes('pdf'), preview: row.prompt_mode !== 'prompt_ocr',
        ocr_engine: this.languages.ocr?.engine ?? 'wasm', native_tessdata_dir: this.languages.ocr?.nativeDir ?? '',
      }, signal, this.config.PAGE_TIMEOUT_S * 1000);
      threadFree();

      if (!result.ok && result.error.code === 'cancelled') {
        // Cancelled conversions are already terminal; on shutdown the page goes back to the queue.
        if (signal.reason === SHUTDOWN) this.store.requeuePage(id, pageNo);
        return;
      }
      if (!result.ok && result.error.code === 'worker_crashed' && (this.store.page(id, pageNo)?.attempts ?? 0) < MAX_PAGE_ATTEMPTS) {
        log.warn('page crashed its worker; retrying once');
        this.store.requeuePage(id, pageNo);
        this.scheduler.enqueue(id, [pageNo], row.priority);
        return;
      }

      let outcome: PageOutcome;
      if (result.ok) {
        try {
          await writePageOutputs(this.filesOf(row), result.value, row.prompt_mode);
          const { page } = result.value;
          outcome = { status: 'done', source: page.source, confidence: page.confidence, duration_ms: page.duration_ms };
        } catch (err) {
          log.error({ err }, 'could not write page result');
          const e = this.failureOf(err, 'The page result', { code: 'storage_error', message: 'The page result was not written.' });
          outcome = { status: 'failed', error_code: e.code, error: e.message };
        }
      } else {
        log.warn({ code: result.error.code, reason: result.error.message }, 'page failed');
        outcome = { status: 'failed', error_code: result.error.code, error: result.error.message };
      }
      this.timings.finished(id, pageNo);
      const updated = this.store.finishPage(id, pageNo, outcome, (r) => `Processing pages: ${r.pages_done + r.pages_failed}/${r.total_pages}`);
      if (TERMINAL_STATUSES.includes(updated.status)) return;
      this.publishProgress(updated, outcome.status === 'done' ? 'page_done' : 'page_failed', result.ok ? result.value.page.source : null, outcome.duration_ms ?? null);
      if (updated.pages_done + updated.pages_failed >= (updated.total_pages ?? Infinity)) await this.finalize(id);
    } catch (err) {
      // The store itself failed (a full disk): the conversion ends with the storage code. If even
      // that cannot be recorded, it stays unfinished and the watchdog resumes it once writes work.
      log.error({ err }, 'page could not be recorded');
      this.fail(id, this.failureOf(err, 'The page result', crashed('The page could not be recorded.')));
    } finally {
      this.timings.stopped(id, pageNo);
      this.markBusy(id, -1);
    }
  }

  private async finalize(id: string): Promise<void> {
    if (this.finalizing.has(id)) return;
    this.finalizing.add(id);
    this.markBusy(id, 1);
    const log = this.log.child({ conversion_id: id });
    try {
      if (!this.stepAllowed(id, 'assembling')) return;
      const row = this.store.get(id)!;
      log.info('assembling results');
      this.publishProgress(row, 'assembling', null, null);
      const formats = formatsOf(row);
      const textFormats = formats.filter((f): f is TextFormat => (TEXT_FORMATS as string[]).includes(f));
      const results = await assembleDocument(this.filesOf(row), this.store.pages(id), { conversionId: id, filename: row.filename, promptMode: row.prompt_mode }, textFormats);
      const pdfProblem = formats.includes('pdf') && row.pages_done > 0 ? await this.buildSearchablePdf(row) : null;
      const failed = results.flatMap((r) => (r.error ? [r.error] : []));
      if (row.pages_done === 0) {
        // Nothing could be read: the conversion fails with its pages' reason.
        return this.fail(id, { code: failed[0]?.code ?? 'render_failed', message: failed[0]?.message ?? 'No page could be read.' });
      }
      const message = (failed.length
        ? `Conversion completed: ${row.pages_done} of ${row.total_pages} pages; ${failed.length} failed`
        : `Conversion completed: ${row.total_pages} page${row.total_pages === 1 ? '' : 's'}`) + (pdfProblem ? `; no searchable PDF: ${pdfProblem}` : '');
      if (!this.store.finish(id, 'completed', message)) return;
      this.live.delete(id);
      this.timings.forget(id);
      log.info({ pages: row.total_pages, failed: failed.length }, 'conversion completed');
      this.events.publish({ conversion_id: id, status: 'completed', progress: 100, message, timestamp: new Date().toISOString(), results, failed_pages: failed });
    } catch (err) {
      log.error({ err }, 'could not assemble results');
      this.fail(id, this.failureOf(err, 'The results', crashed('The results could not be assembled.')));
    } finally {
      this.stepEnded(id);
      this.finalizing.delete(id);
      this.markBusy(id, -1);
    }
  }

  /**
   * Builds the searchable PDF in a worker (pdf-lib parses the whole original, too heavy for the
   * event loop). A failure costs the PDF, not the conversion: returns the reason, or null.
   */
  private async buildSearchablePdf(row: ConversionRow): Promise<string | null> {
    const files = this.filesOf(row);
    const layers = [];
    for (const p of this.store.pages(row.id)) {
      if (p.status !== 'done' || p.source !== 'ocr') continue;
      const page = await readPageResult(files, p.page_no);
      const layerPath = files.textLayer(p.page_no);
      if (!page || !(await fs.stat(layerPath).catch(() => null))) continue;
      layers.push({ page_no: p.page_no, layer_path: layerPath, rotation: page.rotation, dpi: page.dpi });
    }
    const timeoutMs = (this.config.PAGE_TIMEOUT_S + (row.total_pages ?? 1)) * 1000;
    const result = await this.runner.searchablePdf({ kind: row.kind, source_path: row.source_path, out_path: files.document('pdf'), layers }, this.lifetime.signal, timeoutMs);
    if (result.ok) return null;
    this.log.warn({ conversion_id: row.id, code: result.error.code, reason: result.error.message }, 'searchable PDF not produced');
    return result.error.message;
  }

  /** Never throws: it runs in catch blocks, where a second error would escape as a crash. */
  private fail(id: string, error: TaskError): void {
    this.live.delete(id);
    this.timings.forget(id);
    this.scheduler.cancel(id, 'failed');
    let row: ConversionRow | undefined;
    try {
      row = this.store.finish(id, 'error', `Conversion failed: ${error.message}`, error);
    } catch (err) {
      this.storage.report(err, 'database');
      // The watchdog resumes the conversion once the store takes writes again.
      this.log.error({ err, conversion_id: id, code: error.code }, 'could not record the failure');
      return;
    }
    if (!row) return;
    this.log.warn({ conversion_id: id, code: error.code, reason: error.message }, 'conversion failed');
    this.events.publish({ conversion_id: id, status: 'error', progress: 0, message: row.message, error: error.message, error_code: error.code, timestamp: new Date().toISOString() });
  }

  private publishProgress(row: ConversionRow, step: 'inspected' | 'page_done' | 'page_failed' | 'assembling', source: 'text-layer' | 'ocr' | null, durationMs: number | null): void {
    const eta = this.etaOf(row);
    this.events.publish({
      conversion_id: row.id, status: 'processing', step, progress: progressOf(row), message: step === 'assembling' ? 'Assembling results' : row.message,
      current_page: row.last_page, total_pages: row.total_pages, pages_completed: row.pages_done, pages_failed: row.pages_failed,
      source, page_duration_ms: durationMs, estimated_seconds_remaining: eta, estimated_completion_iso: etaIso(eta), batches: this.batchesOf(row), timestamp: new Date().toISOString(),
    });
  }

  /**
   * Runs periodically. Fails conversions past CONVERSION_TIMEOUT_S, and recovers stalls: a page the
   * store says is running that no worker is running (lost to a bug or a crash) goes back to the
   * queue, and an unfinished conversion nobody works on is resumed.
   */
  watchdog(now = Date.now()): void {
    for (const row of this.store.unfinished()) {
      const budget = this.config.CONVERSION_TIMEOUT_S;
      if (budget > 0 && row.started_at && now - Date.parse(row.started_at) > budget * 1000) {
        this.fail(row.id, { code: 'conversion_timeout', message: `The conversion ran longer than ${budget} s (CONVERSION_TIMEOUT_S).` });
        continue;
      }
      if (!this.live.has(row.id)) {
        this.log.warn({ conversion_id: row.id }, 'stalled conversion found; resuming');
        this.resumeOne(row);
        continue;
      }
      if (this.busy.has(row.id) || this.finalizing.has(row.id) || this.inspecting.has(row.id)) continue;
      const stuck = this.store.unfinishedPages(row.id).filter((p) => p.status === 'running' && !this.scheduler.isRunning(row.id, p.page_no));
      for (const p of stuck) {
        this.log.warn({ conversion_id: row.id, page: p.page_no }, 'stalled page found; requeued');
        this.store.requeuePage(row.id, p.page_no);
      }
      if (stuck.length) this.scheduler.enqueue(row.id, stuck.map((p) => p.page_no), row.priority);
    }
  }

  /**
   * Picks up what a previous process left unfinished: conversions never inspected are inspected,
   * others continue with their unfinished pages. A page that was running when the process died is
   * retried once; if it was already on its second attempt it fails with worker_crashed, so a page
   * that kills the process cannot cause a crash loop.
   */
  async resume(): Promise<number> {
    const rows = this.store.unfinished();
    for (const row of rows) this.resumeOne(row);
    if (rows.length) this.log.info({ conversions: rows.length }, 'resumed unfinished conversions');
    return rows.length;
  }

  private resumeOne(row: ConversionRow): void {
    this.live.add(row.id);
    if (row.status === 'pending' || row.total_pages === null) {
      this.track(row.id, () => this.inspectAndSchedule(row));
      return;
    }
    const todo: number[] = [];
    for (const page of this.store.unfinishedPages(row.id)) {
      if (page.status === 'running' && page.attempts >= MAX_PAGE_ATTEMPTS) {
        this.log.warn({ conversion_id: row.id, page: page.page_no }, 'page was running during two crashes; giving it up');
        this.store.finishPage(row.id, page.page_no, { status: 'failed', error_code: 'worker_crashed', error: 'The page stopped the server twice and was given up.' }, row.message);
      } else {
        if (page.status === 'running') this.store.requeuePage(row.id, page.page_no);
        todo.push(page.page_no);
      }
    }
    if (todo.length) this.scheduler.enqueue(row.id, todo, row.priority);
    else this.track(row.id, () => this.finalize(row.id));
  }

  /**
   * Stops taking work, lets running pages finish for up to `graceMs`, then stops them. Unfinished
   * pages stay queued in the store and are picked up by the next start.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.scheduler.pause();
    const timer = new Promise<'timeout'>((r) => setTimeout(r, graceMs, 'timeout').unref());
    if ((await Promise.race([this.scheduler.idle().then(() => 'idle' as const), timer])) === 'timeout') {
      this.log.warn('shutdown grace period over; stopping running pages');
      this.scheduler.abortAll(SHUTDOWN);
      await this.scheduler.idle();
    }
    this.lifetime.abort(SHUTDOWN);
    await this.runner.close();
  }

  /** Ready for traffic: accepting, workers started, store answering. */
}
