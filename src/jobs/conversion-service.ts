import fs from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { TaskError } from '../schemas/page-result.js';
import type { AcceptedReply, ConversionRecord, ConversionStatus, PageSummary, ProgressMessage } from '../schemas/conversion.js';
import type { ConvertOptions, OutputFormat } from '../schemas/convert-options.js';
import type { Languages } from '../pipeline/languages.js';
import { selectPages } from '../pipeline/page-range.js';
import { TEXT_FORMATS, type TextFormat } from '../outputs/document-formats.js';
import { TERMINAL_STATUSES } from '../schemas/conversion.js';
import { ConversionFiles } from '../outputs/conversion-files.js';
import { assembleDocument } from '../pipeline/assemble-document.js';
import { safeStem } from '../pipeline/input-files.js';
import { readPageResult, writePageOutputs } from '../pipeline/page-output.js';
import { acceptSource, retryAfterSeconds, type SourceRequest } from './conversion-intake.js';
import { batchCounts, etaIso, etaSeconds, progressOf, toRecord } from './conversion-records.js';
import type { ConversionRow, JobStore, PageOutcome } from './job-store.js';
import { PageScheduler } from './page-scheduler.js';
import type { PageRunner } from './page-runner.js';
import { ProgressEvents } from './progress-events.js';
import { queueStats, type QueueStats } from './queue-stats.js';

export interface SubmitRequest extends SourceRequest {
  options: ConvertOptions;
  /** The API key name submitting it; null with keys off. */
  owner?: string | null;
  /** Same key, same conversion: a retried request does not start a second one. */
  idempotencyKey?: string;
}

/** A page that crashed its thread is retried once; the second crash fails it. */
const MAX_PAGE_ATTEMPTS = 2;
const SHUTDOWN = Symbol('shutdown');

const formatsOf = (row: ConversionRow) => row.formats.split(',') as OutputFormat[];

const isStorageError = (err: unknown) => ['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO'].includes((err as NodeJS.ErrnoException)?.code ?? '');
const storageError = (what: string): TaskError => ({ code: 'storage_full', message: `${what} could not be written (disk full or not writable).` });

/**
 * The one facade routes and the CLI use. It owns a conversion's lifecycle:
 * accept → inspect (page count) → pages through the scheduler → assemble → completed | error | cancelled.
 * State lives in the store, so a restart resumes where it stopped.
 */
export class ConversionService {
  readonly events = new ProgressEvents();
  private readonly scheduler: PageScheduler;
  /** Non-terminal conversions this process is working on, and those with work running right now. */
  private readonly live = new Set<string>();
  private readonly busy = new Map<string, number>();
  private readonly finalizing = new Set<string>();
  private readonly lifetime = new AbortController();
  private accepting = true;

  constructor(
    private readonly config: Config,
    private readonly store: JobStore,
    private readonly runner: PageRunner,
    readonly languages: Languages,
    private readonly log: Logger,
  ) {
    this.scheduler = new PageScheduler(runner.capacity, (id, pageNo, signal) => this.executePage(id, pageNo, signal));
  }

  // ---- accepting work ----------------------------------------------------------------------

  async submit(req: SubmitRequest): Promise<AcceptedReply> {
    if (!this.accepting) throw new AppError('shutting_down');
    if (req.idempotencyKey) {
      const existing = this.store.byIdempotencyKey(req.idempotencyKey);
      if (existing && existing.owner === (req.owner ?? null)) return this.acceptedReply(existing, 'Already accepted under this Idempotency-Key');
      if (existing) throw new AppError('validation_error', 'This Idempotency-Key is already used by another client; pick another.');
    }
    if (req.owner && this.store.unfinishedCountOf(req.owner) >= this.config.MAX_CONCURRENT_PER_KEY) {
      throw new AppError('too_many_conversions', `This API key has ${this.config.MAX_CONCURRENT_PER_KEY} unfinished conversions (MAX_CONCURRENT_PER_KEY); retry when one ends.`, { 'retry-after': '30' });
    }
    this.refuseWhenFull();
    const id = randomUUID();
    const source = await acceptSource(this.config, id, req);
    const stem = safeStem(source.name);
    let row: ConversionRow;
    try {
      row = this.store.insert({
        id, filename: source.name, source_path: source.path, source_is_upload: source.isUpload ? 1 : 0, source_stem: stem,
        output_stem: this.uniqueOutputStem(stem, id), kind: source.type.kind, prompt_mode: req.options.promptMode, priority: req.options.priority,
        message: 'Queued', created_at: new Date().toISOString(), password: req.options.password ?? null, idempotency_key: req.idempotencyKey ?? null,
        formats: req.options.formats.join(','), lang: req.options.lang, page_range: req.options.pages, ocr_mode: req.options.ocrMode,
        callback_url: req.options.callbackUrl, owner: req.owner ?? null,
      });
    } catch (err) {
      if (source.isUpload) await fs.rm(source.path, { force: true });
      // Two requests with the same key raced; the first one won.
      const winner = req.idempotencyKey ? this.store.byIdempotencyKey(req.idempotencyKey) : undefined;
      if (winner) return this.acceptedReply(winner, 'Already accepted under this Idempotency-Key');
      throw err;
    }
    const { password: _secret, ...loggable } = req.options;
    this.log.info({ conversion_id: id, filename: source.name, kind: source.type.kind, ...loggable }, 'conversion accepted');
    this.live.add(id);
    void this.inspectAndSchedule(row);
    return this.acceptedReply(row, `Conversion of ${source.name} accepted; follow it on /ws/conversion/${id}`);
  }

  /** Backpressure: past the queue limits, 429 with a Retry-After from the measured throughput. */
  private refuseWhenFull(): void {
    const queuedPages = this.scheduler.stats().queued_pages;
    const waiting = this.live.size - this.busy.size;
    if (queuedPages < this.config.MAX_QUEUED_PAGES && waiting < this.config.MAX_QUEUED_CONVERSIONS) return;
    const retry = retryAfterSeconds(queuedPages, this.stats().pages_per_minute.last_5_min);
    this.log.warn({ queued_pages: queuedPages, waiting_conversions: waiting }, 'queue full: refusing new conversion');
    throw new AppError('queue_full', `The queue is full (${queuedPages} pages, ${waiting} conversions waiting); retry in ${retry} s.`, { 'retry-after': String(retry) });
  }

  private acceptedReply(row: ConversionRow, message: string): AcceptedReply {
    const { queue_size, active_tasks } = this.poolStatus();
    const pages = row.total_pages;
    const eta = etaSeconds(row) ?? (pages ? this.queueEtaSeconds(pages) : null);
    return {
      status: 'accepted', conversion_id: row.id, filename: row.filename, message, queue_size, active_tasks,
      status_endpoint: `/conversion-status/${row.id}`, websocket_endpoint: `/ws/conversion/${row.id}`, cancel_endpoint: `/conversions/${row.id}/cancel`,
      processing_strategy: 'page-batches', batch_size: this.config.BATCH_SIZE, total_pages: pages,
      estimated_batches: pages ? Math.ceil(pages / this.config.BATCH_SIZE) : null,
      estimated_completion_minutes: eta === null ? null : Math.round((eta / 60) * 10) / 10,
    };
  }

  /** Two conversions of the same name never share an output folder: later ones get the id appended. */
  private uniqueOutputStem(stem: string, id: string): string {
    return this.store.outputStemTaken(stem) ? `${stem}-${id.slice(0, 8)}` : stem;
  }

  // ---- reading state -----------------------------------------------------------------------

  /** A conversion as seen by `owner`: another key's conversion does not exist for it. */
  private row(id: string, owner?: string | null): ConversionRow {
    const row = this.store.get(id);
    if (!row || (owner && row.owner !== owner)) throw new AppError('conversion_not_found');
    return row;
  }

  private batchesOf(row: ConversionRow) {
    return row.total_pages ? batchCounts(this.store.batches(row.id, this.config.BATCH_SIZE)) : null;
  }

  ownerOf(id: string): string | null | undefined {
    return this.store.get(id)?.owner;
  }

  get(id: string, owner?: string | null): ConversionRecord {
    const row = this.row(id, owner);
    return toRecord(row, this.store.pages(id), this.batchesOf(row));
  }

  list(opts: { status?: ConversionStatus; owner?: string | null; limit: number; offset: number }): { items: ConversionRecord[]; total: number } {
    const { items, total } = this.store.list(opts);
    return { items: items.map((r) => toRecord(r)), total };
  }

  filesOf(row: ConversionRow): ConversionFiles {
    return new ConversionFiles(this.config.OUTPUT_DIR, this.config.DATA_DIR, row.output_stem, row.id);
  }

  /** A finished page's full result, available while the rest of the document still runs. */
  async page(id: string, pageNo: number, owner?: string | null) {
    const row = this.row(id, owner);
    const page = this.store.page(id, pageNo);
    if (!page) throw new AppError('page_not_found', row.total_pages === null ? 'The document is still being inspected; retry shortly.' : undefined);
    if (page.status === 'failed') return { page_no: pageNo, status: 'failed' as const, error: { code: page.error_code, message: page.error } };
    if (page.status !== 'done') throw new AppError('page_not_ready');
    const result = await readPageResult(this.filesOf(row), pageNo);
    if (!result) throw new AppError('page_not_ready', 'The page result is not available.');
    return { status: 'done' as const, ...result };
  }

  resultFile(id: string, format: OutputFormat, owner?: string | null): { path: string; filename: string } {
    const row = this.row(id, owner);
    if (row.status !== 'completed') throw new AppError('result_not_ready', `The conversion is "${row.status}"; results exist once it is "completed".`);
    if (!formatsOf(row).includes(format)) {
      throw new AppError('format_not_produced', `This conversion produced ${row.formats}; convert again with formats=${format} to get ${format}.`);
    }
    return { path: this.filesOf(row).document(format), filename: `${row.output_stem}.${format}` };
  }

  poolStatus() {
    const sched = this.scheduler.stats();
    const runner = this.runner.stats();
    return {
      status: 'ok' as const,
      queue_size: this.live.size - this.busy.size,
      active_tasks: this.busy.size,
      num_workers: this.runner.capacity,
      pages_queued: sched.queued_pages,
      pages_active: sched.active_pages,
      busy_workers: runner.busy,
      worker_threads: runner.threads,
      accepting: this.accepting,
    };
  }

  stats(): QueueStats {
    return queueStats(this.store, this.poolStatus());
  }

  private queueEtaSeconds(extraPages: number): number | null {
    const perMinute = this.stats().pages_per_minute.last_5_min;
    return perMinute > 0 ? Math.round(((this.scheduler.stats().queued_pages + extraPages) / perMinute) * 60) : null;
  }

  /** The snapshot and the live stream, subscribed together so no message falls between them. */
  watch(id: string, listener: (m: ProgressMessage) => void, owner?: string | null): { snapshot: ConversionRecord; unsubscribe: () => void } {
    const snapshot = this.get(id, owner);
    const unsubscribe = this.events.subscribe(id, listener);
    return { snapshot, unsubscribe };
  }

  /** The message that ended a conversion, rebuilt from the store, for subscribers who come late. */
  async terminalMessage(id: string): Promise<ProgressMessage | null> {
    const row = this.row(id);
    const base = { conversion_id: id, message: row.message, timestamp: row.completed_at ?? new Date().toISOString() };
    switch (row.status) {
      case 'completed': {
        const lines = await fs.readFile(this.filesOf(row).jsonl(), 'utf8').catch(() => '');
        const results = lines.split('\n').filter(Boolean).map((l) => {
          const { file_path: _ignored, ...summary } = JSON.parse(l) as PageSummary & { file_path?: string };
          return summary;
        });
        return { ...base, status: 'completed', progress: 100, results, failed_pages: results.flatMap((r) => (r.error ? [r.error] : [])) };
      }
      case 'error':
        return { ...base, status: 'error', progress: 0, error: row.error ?? '', error_code: row.error_code ?? 'render_failed' };
      case 'cancelled':
        return { ...base, status: 'cancelled', progress: progressOf(row) };
      default:
        return null;
    }
  }

  // ---- the lifecycle -----------------------------------------------------------------------

  private markBusy(id: string, delta: 1 | -1): void {
    const n = (this.busy.get(id) ?? 0) + delta;
    if (n <= 0) this.busy.delete(id);
    else this.busy.set(id, n);
  }

  private async inspectAndSchedule(row: ConversionRow): Promise<void> {
    const log = this.log.child({ conversion_id: row.id });
    this.markBusy(row.id, 1);
    try {
      const inspected = await this.runner.inspect({ kind: row.kind, path: row.source_path, password: row.password ?? undefined }, this.lifetime.signal);
      if (this.lifetime.signal.aborted) return; // shutting down: stays pending, resumed on restart
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
      this.fail(row.id, isStorageError(err) ? storageError('Results') : { code: 'worker_crashed', message: 'The conversion could not be started.' });
    } finally {
      this.markBusy(row.id, -1);
    }
  }

  private async executePage(id: string, pageNo: number, signal: AbortSignal): Promise<void> {
    const row = this.store.get(id);
    if (!row || TERMINAL_STATUSES.includes(row.status)) return;
    const log = this.log.child({ conversion_id: id, page: pageNo });
    this.markBusy(id, 1);
    try {
      this.store.markPageRunning(id, pageNo);
      const result = await this.runner.runPage({
        kind: row.kind, path: row.source_path, page_no: pageNo, password: row.password ?? undefined, dpi: this.config.RENDER_DPI,
        max_megapixels: this.config.MAX_PAGE_MEGAPIXELS, lang: row.lang, tessdata_dir: this.languages.dir,
        ocr_recycle_pages: this.config.OCR_RECYCLE_PAGES, ocr_mode: row.ocr_mode, layout_only: row.prompt_mode === 'prompt_layout_only_en',
        detect_orientation: this.languages.hasOsd, text_layer_pdf: formatsOf(row).includes('pdf'), preview: row.prompt_mode !== 'prompt_ocr',
      }, signal, this.config.PAGE_TIMEOUT_S * 1000);

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
          const e = storageError('The page result');
          outcome = { status: 'failed', error_code: e.code, error: e.message };
        }
      } else {
        log.warn({ code: result.error.code, reason: result.error.message }, 'page failed');
        outcome = { status: 'failed', error_code: result.error.code, error: result.error.message };
      }
      const updated = this.store.finishPage(id, pageNo, outcome, (r) => `Processing pages: ${r.pages_done + r.pages_failed}/${r.total_pages}`);
      if (TERMINAL_STATUSES.includes(updated.status)) return;
      this.publishProgress(updated, outcome.status === 'done' ? 'page_done' : 'page_failed', result.ok ? result.value.page.source : null, outcome.duration_ms ?? null);
      if (updated.pages_done + updated.pages_failed >= (updated.total_pages ?? Infinity)) await this.finalize(id);
    } finally {
      this.markBusy(id, -1);
    }
  }

  private async finalize(id: string): Promise<void> {
    if (this.finalizing.has(id)) return;
    this.finalizing.add(id);
    this.markBusy(id, 1);
    const log = this.log.child({ conversion_id: id });
    try {
      const row = this.store.get(id)!;
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
      log.info({ pages: row.total_pages, failed: failed.length }, 'conversion completed');
      this.events.publish({ conversion_id: id, status: 'completed', progress: 100, message, timestamp: new Date().toISOString(), results, failed_pages: failed });
    } catch (err) {
      log.error({ err }, 'could not assemble results');
      this.fail(id, isStorageError(err) ? storageError('The results') : { code: 'worker_crashed', message: 'The results could not be assembled.' });
    } finally {
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

  private fail(id: string, error: TaskError): void {
    const row = this.store.finish(id, 'error', `Conversion failed: ${error.message}`, error);
    this.live.delete(id);
    this.scheduler.cancel(id, 'failed');
    if (!row) return;
    this.log.warn({ conversion_id: id, code: error.code, reason: error.message }, 'conversion failed');
    this.events.publish({ conversion_id: id, status: 'error', progress: 0, message: row.message, error: error.message, error_code: error.code, timestamp: new Date().toISOString() });
  }

  private publishProgress(row: ConversionRow, step: 'inspected' | 'page_done' | 'page_failed' | 'assembling', source: 'text-layer' | 'ocr' | null, durationMs: number | null): void {
    const eta = etaSeconds(row);
    this.events.publish({
      conversion_id: row.id, status: 'processing', step, progress: progressOf(row), message: step === 'assembling' ? 'Assembling results' : row.message,
      current_page: row.last_page, total_pages: row.total_pages, pages_completed: row.pages_done, pages_failed: row.pages_failed,
      source, page_duration_ms: durationMs, estimated_seconds_remaining: eta, estimated_completion_iso: etaIso(eta), batches: this.batchesOf(row), timestamp: new Date().toISOString(),
    });
  }

  // ---- cancel, delete ----------------------------------------------------------------------

  cancel(id: string, owner?: string | null): ConversionRecord {
    const row = this.row(id, owner);
    const done = this.store.finish(id, 'cancelled', 'Conversion cancelled');
    if (done) {
      this.live.delete(id);
      const stopped = this.scheduler.cancel(id, 'cancelled');
      this.log.info({ conversion_id: id, pages_stopped: stopped }, 'conversion cancelled');
      this.events.publish({ conversion_id: id, status: 'cancelled', progress: progressOf(done), message: done.message, timestamp: new Date().toISOString() });
    } else if (row.status !== 'cancelled') {
      throw new AppError('invalid_state', `The conversion already ended with status "${row.status}"; only pending or processing conversions can be cancelled.`);
    }
    return this.get(id);
  }

  async remove(id: string, owner?: string | null): Promise<void> {
    const row = this.row(id, owner);
    if (!TERMINAL_STATUSES.includes(row.status)) this.cancel(id);
    await this.filesOf(row).remove();
    if (row.source_is_upload) await fs.rm(row.source_path, { force: true });
    this.store.delete(id);
    this.log.info({ conversion_id: id }, 'conversion deleted');
  }

  // ---- watchdog, start-up and shutdown -----------------------------------------------------

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
      if (this.busy.has(row.id) || this.finalizing.has(row.id)) continue;
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
      void this.inspectAndSchedule(row);
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
    else void this.finalize(row.id);
  }

  /**
   * Stops taking work, lets running pages finish for up to `graceMs`, then stops them. Unfinished
   * pages stay queued in the store and are picked up by the next start.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.accepting = false;
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
  readiness(): { ready: boolean; checks: Record<string, boolean> } {
    let store = true;
    try {
      this.store.countByStatus();
    } catch {
      store = false;
    }
    const checks = { accepting: this.accepting, workers: this.runner.stats().threads > 0, store };
    return { ready: Object.values(checks).every(Boolean), checks };
  }

  get isAccepting(): boolean {
    return this.accepting;
  }
}
