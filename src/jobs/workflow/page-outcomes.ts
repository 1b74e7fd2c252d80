import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { TERMINAL_STATUSES } from '../../schemas/conversion.js';
import type { ConversionRow, PageOutcome } from '../../schemas/conversion-rows.js';
import type { Envelope, PageOutput, TaskError } from '../../schemas/page-result.js';
import type { Languages } from '../../languages/languages.js';
import type { BlobStore } from '../contracts/blob-store.js';
import type { ConversionStore } from '../contracts/conversion-store.js';
import type { ExecutionBackend, PageTurn } from '../contracts/execution-backend.js';
import { formatsOf } from './conversion-records.js';
import { crashed, type ConversionLifecycle } from './conversion-lifecycle.js';
import type { ConversionFinalizer } from './conversion-finalizer.js';

/** A page that crashed its thread is retried once; the second crash fails it. */
export const MAX_PAGE_ATTEMPTS = 2;
/**
 * Worker nodes that may stop under a page before it is given up. A node that stops (kill -9, a lost
 * network, an OOM kill) is usually not the page's doing, so it spends no attempt; but a page that
 * kills every node it lands on must not take the cluster down one node after another.
 */
export const MAX_NODE_LOSSES = 3;
/** The abort reason of a graceful shutdown: a page stopped by it goes back to the queue. */
export const SHUTDOWN = Symbol('shutdown');

/**
 * A page whose turn came: runs it on the execution backend, then decides what its result means —
 * written and counted, failed, retried after a crash, or requeued by a shutdown — publishes the
 * progress, and hands the conversion to the finalizer once its last page is finished.
 */
export class PageOutcomes {
  constructor(
    private readonly config: Config,
    private readonly store: ConversionStore,
    private readonly blobs: BlobStore,
    private readonly backend: ExecutionBackend,
    private readonly languages: Languages,
    private readonly lifecycle: ConversionLifecycle,
    private readonly finalizer: ConversionFinalizer,
    private readonly log: Logger,
  ) {}

  async run({ conversionId: id, pageNo, signal, threadFree }: PageTurn): Promise<void> {
    const row = this.store.get(id);
    if (!row || TERMINAL_STATUSES.includes(row.status)) return;
    const { lifecycle } = this;
    lifecycle.markBusy(id, 1);
    try {
      this.store.markPageRunning(id, pageNo);
      lifecycle.timings.started(id, pageNo);
      // Charged before a run that could crash this process: after a restart, the count says the
      // page was on a thread when the process died (see ConversionWorkflow.resume).
      let charged = false;
      const chargeFirst = () => {
        this.store.chargePageAttempt(id, pageNo);
        charged = true;
      };
      const result = await this.backend.runPage(this.taskOf(row, pageNo), signal, this.config.PAGE_TIMEOUT_S * 1000, chargeFirst);
      threadFree();
      await this.record(row, pageNo, result, signal, charged);
    } catch (err) {
      // The store itself failed (a full disk): the conversion ends with the storage code. If even
      // that cannot be recorded, it stays unfinished and the watchdog resumes it once writes work.
      this.log.error({ err, conversion_id: id, page: pageNo }, 'page could not be recorded');
      lifecycle.fail(id, lifecycle.failureOf(err, 'The page result', crashed('The page could not be recorded.')));
    } finally {
      lifecycle.timings.stopped(id, pageNo);
      lifecycle.markBusy(id, -1);
    }
  }

  private taskOf(row: ConversionRow, pageNo: number) {
    return {
      kind: row.kind, path: this.blobs.sourcePath(row), page_no: pageNo, password: this.store.passwordOf(row), dpi: this.config.RENDER_DPI,
      max_megapixels: this.config.MAX_PAGE_MEGAPIXELS, lang: row.lang, tessdata_dir: this.languages.dir, tessdata_gzip: this.languages.gzip,
      ocr_recycle_pages: this.config.OCR_RECYCLE_PAGES, ocr_mode: row.ocr_mode, prompt_mode: row.prompt_mode,
      detect_orientation: this.languages.hasOsd, deskew: this.config.DESKEW, text_layer_pdf: formatsOf(row).some((f) => f === 'pdf' || f === 'pdfa'),
      ocr_engine: this.languages.ocr?.engine ?? 'wasm', native_tessdata_dir: this.languages.ocr?.nativeDir ?? '',
    };
  }

  /** What a page's result means for the page and its conversion. */
  private async record(row: ConversionRow, pageNo: number, result: Envelope<PageOutput>, signal: AbortSignal, charged: boolean): Promise<void> {
    const { id } = row;
    const log = this.log.child({ conversion_id: id, page: pageNo });
    if (!result.ok && result.error.code === 'cancelled') {
      // Cancelled conversions are already terminal; on shutdown the page goes back to the queue,
      // and the try it was charged was not its fault.
      if (signal.reason === SHUTDOWN) {
        if (charged) this.store.refundPageAttempt(id, pageNo);
        this.store.requeuePage(id, pageNo);
      }
      return;
    }
    if (!result.ok && result.error.code === 'worker_crashed') {
      const givenUp = this.retryAfterCrash(row, pageNo, result.error, charged);
      if (!givenUp) return;
      result = { ok: false, error: givenUp };
    }

    let outcome: PageOutcome;
    if (result.ok) {
      try {
        await this.blobs.writePage(row, result.value);
        const { page } = result.value;
        outcome = { status: 'done', source: page.source, confidence: page.confidence, duration_ms: page.duration_ms };
      } catch (err) {
        log.error({ err }, 'could not write page result');
        const e = this.lifecycle.failureOf(err, 'The page result', { code: 'storage_error', message: 'The page result was not written.' });
        outcome = { status: 'failed', error_code: e.code, error: e.message };
      }
    } else {
      log.warn({ code: result.error.code, reason: result.error.message }, 'page failed');
      outcome = { status: 'failed', error_code: result.error.code, error: result.error.message };
    }
    this.lifecycle.timings.finished(id, pageNo);
    const updated = this.store.finishPage(id, pageNo, outcome, (r) => `Processing pages: ${r.pages_done + r.pages_failed}/${r.total_pages}`);
    if (TERMINAL_STATUSES.includes(updated.status)) return;
    const step = outcome.status === 'done' ? 'page_done' : 'page_failed';
    this.lifecycle.publishProgress(updated, step, result.ok ? result.value.page.source : null, outcome.duration_ms ?? null);
    if (updated.pages_done + updated.pages_failed >= (updated.total_pages ?? Infinity)) await this.finalizer.finalize(id);
  }

  /**
   * A page whose worker died goes back to the queue while it has tries left: a dead thread spends
   * an attempt (charged now when the page ran on a worker node), a stopped worker node counts
   * apart. Null when it was requeued; else the error the page is given up with.
   */
  private retryAfterCrash(row: ConversionRow, pageNo: number, error: TaskError, charged: boolean): TaskError | null {
    const { id } = row;
    const log = this.log.child({ conversion_id: id, page: pageNo });
    if (error.node_lost) {
      const losses = this.store.countNodeLoss(id, pageNo);
      if (losses >= MAX_NODE_LOSSES) {
        return { code: 'worker_crashed', message: `${losses} worker nodes stopped while they ran this page; it was given up so it cannot stop more.` };
      }
      log.warn({ node_losses: losses }, 'the worker node running the page stopped; the page goes to another node');
    } else {
      const attempts = charged ? (this.store.page(id, pageNo)?.attempts ?? 0) : this.store.chargePageAttempt(id, pageNo);
      if (attempts >= MAX_PAGE_ATTEMPTS) return error;
      log.warn('page crashed its worker; retrying once');
    }
    this.store.requeuePage(id, pageNo);
    this.backend.start(id, [pageNo], row.priority);
    return null;
  }
}
