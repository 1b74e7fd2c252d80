import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { TERMINAL_STATUSES } from '../../schemas/conversion.js';
import type { ConversionRow } from '../../schemas/conversion-rows.js';
import type { Languages } from '../../languages/languages.js';
import { selectPages } from '../../intake/page-range.js';
import type { Backend } from '../contracts/backend.js';
import type { BlobStore } from '../contracts/blob-store.js';
import type { ConversionStore } from '../contracts/conversion-store.js';
import type { ExecutionBackend } from '../contracts/execution-backend.js';
import type { DocumentTasks } from '../contracts/page-runner.js';
import { ConversionFinalizer } from './conversion-finalizer.js';
import { ConversionLifecycle, crashed } from './conversion-lifecycle.js';
import { InspectGate } from './inspect-gate.js';
import { MAX_PAGE_ATTEMPTS, PageOutcomes, SHUTDOWN } from './page-outcomes.js';
import type { StorageHealth } from './storage-health.js';
import { inConversion } from '../../observability/conversion-context.js';

/**
 * Runs conversions: inspect (page count) → pages through the execution backend (PageOutcomes
 * records each) → ConversionFinalizer → completed | error | cancelled, and recovery after a
 * restart. Every step is recorded in the store first, so a crash at any point resumes where it stopped.
 */
export class ConversionWorkflow {
  private readonly lifecycle: ConversionLifecycle;
  private readonly finalizer: ConversionFinalizer;
  /** Conversions being inspected or waiting for it: queued, not running (they count against MAX_QUEUED_CONVERSIONS). */
  private readonly inspecting = new Set<string>();
  private readonly inspectGate: InspectGate;
  private readonly lifetime = new AbortController();
  private readonly store: ConversionStore;
  private readonly backend: ExecutionBackend;
  private readonly blobs: BlobStore;
  private readonly tasks: DocumentTasks;

  constructor(private readonly config: Config, parts: Backend, languages: Languages, private readonly log: Logger, storage: StorageHealth) {
    const { store, execution: backend, blobs, bus } = parts;
    this.store = store;
    this.backend = backend;
    this.blobs = blobs;
    this.tasks = parts.tasks;
    this.lifecycle = new ConversionLifecycle(config, store, backend, bus, log, storage);
    this.finalizer = new ConversionFinalizer(config, store, blobs, parts.tasks, this.lifecycle, log, this.lifetime.signal);
    const outcomes = new PageOutcomes(config, store, blobs, backend, languages, this.lifecycle, this.finalizer, log);
    backend.attach((turn) => inConversion(turn.conversionId, () => outcomes.run(turn)));
    this.inspectGate = new InspectGate(backend.capacity);
  }

  /** Starts work on a freshly accepted conversion. */
  begin(row: ConversionRow): void {
    this.lifecycle.live.add(row.id);
    this.track(row.id, () => this.inspectAndSchedule(row));
  }

  /**
   * Runs a step of a conversion in its context (so a crash handler can name it). Whatever the
   * step lets escape ends the conversion, logged with its id: never an unhandled rejection.
   */
  private track(id: string, step: () => Promise<void>): void {
    inConversion(id, step).catch((err: unknown) => {
      this.log.error({ err, conversion_id: id }, 'conversion step failed');
      this.lifecycle.fail(id, this.lifecycle.failureOf(err, 'The conversion', crashed('The conversion stopped on an internal error.')));
    });
  }

  counts(): { live: number; busy: number; queued_pages: number; active_pages: number } {
    return { live: this.lifecycle.live.size, busy: this.lifecycle.busyCount(), ...this.backend.counts() };
  }

  /** Whether the conversion has work running now (a page on a worker, or its results being assembled). */
  isRunning(id: string): boolean {
    return this.lifecycle.isBusy(id);
  }

  /** Seconds left for a conversion whose pages this process runs; null when not measured yet. */
  etaOf(row: ConversionRow): number | null {
    return this.lifecycle.timings.estimate(row);
  }

  batchesOf(row: ConversionRow) {
    return this.lifecycle.batchesOf(row);
  }

  /** Ends a conversion as cancelled and stops its pages; undefined when it had already ended. */
  cancel(id: string): ConversionRow | undefined {
    const done = this.store.finish(id, 'cancelled', 'Conversion cancelled');
    if (!done) return undefined;
    this.lifecycle.ended(id);
    const stopped = this.backend.cancel(id, 'cancelled');
    this.log.info({ conversion_id: id, pages_stopped: stopped }, 'conversion cancelled');
    this.lifecycle.publishEnd(done);
    return done;
  }

  private async inspectAndSchedule(row: ConversionRow): Promise<void> {
    const log = this.log.child({ conversion_id: row.id });
    const { lifecycle } = this;
    this.inspecting.add(row.id);
    let stepped = false;
    try {
      const inspected = await this.inspectGate.run(async () => {
        // Cancelled or shutting down while waiting for a slot: nothing to inspect.
        const now = this.store.get(row.id);
        if (this.lifetime.signal.aborted || !now || TERMINAL_STATUSES.includes(now.status)) return null;
        // Counted only once it really runs: a crash while it waited for a slot was not its fault.
        stepped = true;
        if (!lifecycle.stepAllowed(row.id, 'inspecting')) return null;
        return this.tasks.inspect({ kind: row.kind, path: this.blobs.sourcePath(row), password: this.store.passwordOf(row) }, this.lifetime.signal);
      });
      if (!inspected || this.lifetime.signal.aborted) return; // shutting down: stays pending, resumed on restart
      if (!inspected.ok) return lifecycle.fail(row.id, inspected.error);
      const pages = inspected.value.page_count;
      if (pages === 0) return lifecycle.fail(row.id, { code: 'invalid_pdf', message: 'The PDF has no pages.' });
      const selected = selectPages(row.page_range, pages);
      if (selected.length === 0) {
        return lifecycle.fail(row.id, { code: 'no_pages_selected', message: `pages=${row.page_range} selects none of the document's ${pages} pages.` });
      }
      if (selected.length > this.config.MAX_PAGES) {
        return lifecycle.fail(row.id, { code: 'too_many_pages', message: `The document has ${pages} pages; MAX_PAGES is ${this.config.MAX_PAGES}.` });
      }
      await this.blobs.prepare(row);
      if (!this.store.start(row.id, pages, selected, new Date().toISOString())) return; // cancelled meanwhile
      log.info({ pages: selected.length, document_pages: pages, batches: Math.ceil(pages / this.config.BATCH_SIZE) }, 'conversion started');
      lifecycle.publishProgress(this.store.get(row.id)!, 'inspected', null, null);
      this.backend.start(row.id, selected, row.priority);
    } catch (err) {
      log.error({ err }, 'could not start conversion');
      lifecycle.fail(row.id, lifecycle.failureOf(err, 'Results', crashed('The conversion could not be started.')));
    } finally {
      this.inspecting.delete(row.id);
      if (stepped) lifecycle.stepEnded(row.id);
    }
  }

  /**
   * Runs periodically. Fails conversions past CONVERSION_TIMEOUT_S, and recovers stalls: a page the
   * store says is running that no worker is running (lost to a bug or a crash) goes back to the
   * queue, and an unfinished conversion nobody works on is resumed.
   */
  watchdog(now = Date.now()): void {
    const { lifecycle } = this;
    for (const row of this.store.unfinished()) {
      const budget = this.config.CONVERSION_TIMEOUT_S;
      if (budget > 0 && row.started_at && now - Date.parse(row.started_at) > budget * 1000) {
        lifecycle.fail(row.id, { code: 'conversion_timeout', message: `The conversion ran longer than ${budget} s (CONVERSION_TIMEOUT_S).` });
        continue;
      }
      if (!lifecycle.live.has(row.id)) {
        this.log.warn({ conversion_id: row.id }, 'stalled conversion found; resuming');
        this.resumeOne(row);
        continue;
      }
      if (lifecycle.isBusy(row.id) || this.finalizer.isFinalizing(row.id) || this.inspecting.has(row.id)) continue;
      const stuck = this.store.unfinishedPages(row.id).filter((p) => p.status === 'running' && !this.backend.isRunning(row.id, p.page_no));
      for (const p of stuck) {
        this.log.warn({ conversion_id: row.id, page: p.page_no }, 'stalled page found; requeued');
        this.store.requeuePage(row.id, p.page_no);
      }
      if (stuck.length) this.backend.start(row.id, stuck.map((p) => p.page_no), row.priority);
    }
  }

  /**
   * Picks up what a previous process left unfinished: conversions never inspected are inspected,
   * others continue with their unfinished pages. A page that was running when the process died is
   * retried once; if it was already on its second attempt it fails with worker_crashed, so a page
   * that kills the process cannot cause a crash loop.
   */
  async resume(): Promise<number> {
    await this.backend.resume();
    const rows = this.store.unfinished();
    for (const row of rows) this.resumeOne(row);
    if (rows.length) this.log.info({ conversions: rows.length }, 'resumed unfinished conversions');
    return rows.length;
  }

  private resumeOne(row: ConversionRow): void {
    this.lifecycle.live.add(row.id);
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
    if (todo.length) this.backend.start(row.id, todo, row.priority);
    else this.track(row.id, () => this.finalizer.finalize(row.id));
  }

  /**
   * Stops taking work, lets running pages finish for up to `graceMs`, then stops them. Unfinished
   * pages stay queued in the store and are picked up by the next start.
   */
  async shutdown(graceMs: number): Promise<void> {
    const timer = setTimeout(() => this.log.warn('shutdown grace period over; stopping running pages'), graceMs).unref();
    await this.backend.drain(graceMs, SHUTDOWN);
    clearTimeout(timer);
    this.lifetime.abort(SHUTDOWN);
    await this.backend.close();
  }
}
