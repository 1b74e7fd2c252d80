import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { AppError, ERRORS } from '../../errors.js';
import type { AcceptedReply, ConversionRecord, ConversionStatus, ProgressMessage } from '../../schemas/conversion.js';
import type { ConvertOptions, OutputFormat } from '../../schemas/convert-options.js';
import type { Languages } from '../../languages/languages.js';
import { TERMINAL_STATUSES } from '../../schemas/conversion.js';
import type { ConversionRow } from '../../schemas/conversion-rows.js';
import type { ConversionFiles } from '../../outputs/conversion-files.js';
import { safeStem } from '../../intake/input-files.js';
import { acceptSource, retryAfterSeconds, type SourceRequest } from './conversion-intake.js';
import { formatsOf, neverProduced, toRecord } from './conversion-records.js';
import { ConversionWorkflow } from './conversion-workflow.js';
import type { Backend } from '../contracts/backend.js';
import type { BlobStore } from '../contracts/blob-store.js';
import type { ConversionStore } from '../contracts/conversion-store.js';
import type { ExecutionBackend } from '../contracts/execution-backend.js';
import type { ProgressBus } from '../contracts/progress-bus.js';
import { terminalFrame } from './progress-frames.js';
import { queueStats, type QueueStats } from './queue-stats.js';
import { redactSecrets } from '../../observability/log-redaction.js';
import { StorageHealth } from './storage-health.js';
import { OnDemandDocuments } from '../documents/on-demand-documents.js';

export interface SubmitRequest extends SourceRequest {
  options: ConvertOptions;
  /** The API key name submitting it; null with keys off. */
  owner?: string | null;
  /** Same key, same conversion: a retried request does not start a second one. */
  idempotencyKey?: string;
}


/**
 * The one facade routes and the CLI use: accepting work (sources, limits, idempotency), reading
 * state (records, pages, results, pool, stats), cancel and delete. The lifecycle of a conversion
 * runs in ConversionWorkflow.
 */
export class ConversionService {
  readonly events: ProgressBus;
  /** Whether the disk and the database take writes (see StorageHealth). */
  readonly storage: StorageHealth;
  private readonly workflow: ConversionWorkflow;
  private readonly store: ConversionStore;
  private readonly execution: ExecutionBackend;
  private readonly blobs: BlobStore;
  private readonly documents: OnDemandDocuments;
  private accepting = true;

  constructor(
    private readonly config: Config,
    backend: Backend,
    readonly languages: Languages,
    private readonly log: Logger,
  ) {
    ({ store: this.store, execution: this.execution, blobs: this.blobs, bus: this.events } = backend);
    this.storage = new StorageHealth(log);
    this.events.onListenerError = (err, m) => log.warn({ err, conversion_id: m.conversion_id }, 'progress listener failed');
    this.workflow = new ConversionWorkflow(config, backend, languages, log, this.storage);
    this.documents = new OnDemandDocuments(this.store, this.blobs, log);
  }

  // ---- accepting work ----------------------------------------------------------------------

  async submit(req: SubmitRequest): Promise<AcceptedReply> {
    if (!this.accepting) throw new AppError('shutting_down');
    this.refuseWhenStorageFails();
    const earlier = this.idempotentReplay(req);
    if (earlier) return earlier;
    // A cheap refusal before the file is sniffed and moved; the binding check is at insert time.
    this.admit(req.owner);
    const id = randomUUID();
    const source = await acceptSource(this.config, id, req);
    const stem = safeStem(source.name);
    let row: ConversionRow;
    try {
      // A file another key uploaded into the input folder does not exist for this key.
      const uploader = !source.isUpload && req.owner ? this.store.uploadOwner(path.basename(source.path)) : undefined;
      if (uploader && uploader !== req.owner) throw new AppError('file_not_found');
      // From here to begin() nothing awaits: check and insert are one step on the event loop, so
      // concurrent requests cannot all pass the limits before any of them is counted.
      const replay = this.idempotentReplay(req);
      if (replay) {
        if (source.isUpload) await fs.rm(source.path, { force: true });
        return replay;
      }
      this.admit(req.owner);
      row = this.store.insert({
        id, filename: source.name, source_path: source.path, source_is_upload: source.isUpload ? 1 : 0, source_stem: stem,
        output_stem: this.uniqueOutputStem(stem, id), kind: source.type.kind, prompt_mode: req.options.promptMode, priority: req.options.priority,
        message: 'Queued', created_at: new Date().toISOString(), password: req.options.password ?? null, idempotency_key: req.idempotencyKey ?? null,
        formats: req.options.formats.join(','), on_demand_formats: req.options.onDemandFormats.join(','), lang: req.options.lang, page_range: req.options.pages, ocr_mode: req.options.ocrMode,
        callback_url: req.options.callbackUrl, owner: req.owner ?? null,
      });
    } catch (err) {
      if (source.isUpload) await fs.rm(source.path, { force: true });
      // Two requests with the same key raced; the first one won.
      const winner = req.idempotencyKey ? this.store.byIdempotencyKey(req.idempotencyKey, req.owner ?? null) : undefined;
      if (winner) return this.acceptedReply(winner, 'Already accepted under this Idempotency-Key');
      throw err;
    }
    const { password: _secret, callbackUrl, ...loggable } = req.options;
    const webhook = callbackUrl ? redactSecrets(callbackUrl) : null;
    this.log.info({ conversion_id: id, filename: source.name, kind: source.type.kind, ...loggable, webhook }, 'conversion accepted');
    this.workflow.begin(row);
    return this.acceptedReply(row, `Conversion of ${source.name} accepted; follow it on /ws/conversion/${id}`);
  }

  /** The reply of an earlier request with the same Idempotency-Key from the same client, if any. */
  private idempotentReplay(req: SubmitRequest): AcceptedReply | null {
    if (!req.idempotencyKey) return null;
    const existing = this.store.byIdempotencyKey(req.idempotencyKey, req.owner ?? null);
    return existing ? this.acceptedReply(existing, 'Already accepted under this Idempotency-Key') : null;
  }

  /** The per-key and queue limits; synchronous, so it can run in the same step as the insert. */
  private admit(owner: string | null | undefined): void {
    if (owner && this.store.unfinishedCountOf(owner) >= this.config.MAX_CONCURRENT_PER_KEY) {
      throw new AppError('too_many_conversions', `This API key has ${this.config.MAX_CONCURRENT_PER_KEY} unfinished conversions (MAX_CONCURRENT_PER_KEY); retry when one ends.`, { 'retry-after': '30' });
    }
    this.refuseWhenFull();
  }

  /** A full or read-only disk: new work is refused with the storage code until the probe sees writes work again. */
  refuseWhenStorageFails(): void {
    const problem = this.storage.problem;
    if (!problem) return;
    throw new AppError(problem.code, `${ERRORS[problem.code].message} (${problem.errno} since ${problem.since}); retry once it is fixed.`);
  }

  /** Backpressure: past the queue limits, 429 with a Retry-After from the measured throughput. */
  private refuseWhenFull(): void {
    const { queued_pages: queuedPages, live, busy } = this.workflow.counts();
    const waiting = live - busy;
    if (queuedPages < this.config.MAX_QUEUED_PAGES && waiting < this.config.MAX_QUEUED_CONVERSIONS) return;
    const retry = retryAfterSeconds(queuedPages, this.stats().pages_per_minute.last_5_min);
    this.log.warn({ queued_pages: queuedPages, waiting_conversions: waiting }, 'queue full: refusing new conversion');
    throw new AppError('queue_full', `The queue is full (${queuedPages} pages, ${waiting} conversions waiting); retry in ${retry} s.`, { 'retry-after': String(retry) });
  }

  private acceptedReply(row: ConversionRow, message: string): AcceptedReply {
    const { queue_size, active_tasks } = this.poolStatus();
    const pages = row.total_pages;
    const eta = this.workflow.etaOf(row) ?? (pages ? this.queueEtaSeconds(pages) : null);
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

  ownerOf(id: string): string | null | undefined {
    return this.store.get(id)?.owner;
  }

  get(id: string, owner?: string | null): ConversionRecord {
    const row = this.row(id, owner);
    return toRecord(row, this.store.pages(id), this.workflow.batchesOf(row), this.workflow.etaOf(row));
  }

  list(opts: { status?: ConversionStatus; owner?: string | null; limit: number; offset: number }): { items: ConversionRecord[]; total: number } {
    const { items, total } = this.store.list(opts);
    return { items: items.map((r) => toRecord(r, [], null, this.workflow.etaOf(r))), total };
  }

  filesOf(row: ConversionRow): ConversionFiles {
    return this.blobs.files(row);
  }

  /** A finished page's full result, available while the rest of the document still runs. */
  async page(id: string, pageNo: number, owner?: string | null) {
    const row = this.row(id, owner);
    const page = this.store.page(id, pageNo);
    if (!page && row.total_pages === null) {
      throw neverProduced(row) ?? new AppError('page_not_found', 'The document is still being inspected; retry shortly.');
    }
    if (!page) throw new AppError('page_not_found');
    if (page.status === 'failed') return { page_no: pageNo, status: 'failed' as const, error: { code: page.error_code, message: page.error } };
    if (page.status !== 'done') throw neverProduced(row) ?? new AppError('page_not_ready');
    const result = await this.blobs.readPage(row, pageNo);
    if (!result) throw new AppError('page_not_ready', 'The page result is not available.');
    return { status: 'done' as const, ...result };
  }

  async resultFile(id: string, format: OutputFormat, owner?: string | null): Promise<{ path: string; filename: string }> {
    const row = this.row(id, owner);
    if (row.status !== 'completed') {
      throw neverProduced(row) ?? new AppError('result_not_ready', `The conversion is "${row.status}"; results exist once it is "completed".`);
    }
    if (!formatsOf(row).includes(format)) {
      throw new AppError('format_not_produced', `This conversion produced ${row.formats}; convert again with formats=${format} to get ${format}.`);
    }
    await this.documents.ensure(row, format);
    return { path: this.filesOf(row).document(format), filename: `${row.output_stem}.${format}` };
  }

  /** The pool as `owner` sees it: its own conversions and pages; null (admins, no keys) sees totals. */
  poolStatus(owner: string | null = null) {
    const pool = this.execution.pool();
    if (owner) {
      const { ids, pagesQueued, pagesRunning } = this.store.workOf(owner);
      const active = ids.filter((id) => this.workflow.isRunning(id)).length;
      return {
        status: 'ok' as const, queue_size: ids.length - active, active_tasks: active, num_workers: this.execution.capacity,
        pages_queued: pagesQueued, pages_active: pagesRunning, busy_workers: Math.min(pagesRunning, this.execution.capacity),
        worker_threads: pool.threads, accepting: this.accepting,
      };
    }
    const work = this.workflow.counts();
    return {
      status: 'ok' as const,
      queue_size: work.live - work.busy,
      active_tasks: work.busy,
      num_workers: this.execution.capacity,
      pages_queued: work.queued_pages,
      pages_active: work.active_pages,
      busy_workers: pool.busy,
      worker_threads: pool.threads,
      accepting: this.accepting,
      ocr_engine: this.languages.ocr?.engine ?? 'wasm',
      ...(this.execution.nodes ? { cluster: { nodes: this.execution.nodes(), refused: this.execution.refused?.() ?? [] } } : {}),
    };
  }

  stats(owner: string | null = null): QueueStats {
    return queueStats(this.store, this.poolStatus(owner), Date.now(), owner);
  }

  private queueEtaSeconds(extraPages: number): number | null {
    const perMinute = this.stats().pages_per_minute.last_5_min;
    return perMinute > 0 ? Math.round(((this.workflow.counts().queued_pages + extraPages) / perMinute) * 60) : null;
  }

  /** The snapshot and the live stream, subscribed together so no message falls between them. */
  watch(id: string, listener: (m: ProgressMessage) => void, owner?: string | null): { snapshot: ConversionRecord; unsubscribe: () => void } {
    const snapshot = this.get(id, owner);
    const unsubscribe = this.events.subscribe(id, listener);
    return { snapshot, unsubscribe };
  }

  /** The frame that ended a conversion, rebuilt from the store for subscribers who come late (see terminalFrame). */
  async terminalMessage(id: string): Promise<ProgressMessage | null> {
    const row = this.row(id);
    return terminalFrame(row, row.status === 'completed' ? await this.blobs.readResults(row) : []);
  }

  // ---- cancel, delete, start-up and shutdown ------------------------------------------------

  cancel(id: string, owner?: string | null): ConversionRecord {
    const row = this.row(id, owner);
    if (!this.workflow.cancel(id) && row.status !== 'cancelled') {
      throw new AppError('invalid_state', `The conversion already ended with status "${row.status}"; only pending or processing conversions can be cancelled.`);
    }
    return this.get(id);
  }

  async remove(id: string, owner?: string | null): Promise<void> {
    const row = this.row(id, owner);
    if (!TERMINAL_STATUSES.includes(row.status)) this.cancel(id);
    await this.documents.settled(row);
    await this.blobs.remove(row);
    this.store.delete(id);
    this.log.info({ conversion_id: id }, 'conversion deleted');
  }

  /** Picks up what a previous process left unfinished (see ConversionWorkflow.resume). */
  resume(): Promise<number> {
    return this.workflow.resume();
  }

  /** Periodic checks: conversion budget, stalled pages (see ConversionWorkflow.watchdog). */
  watchdog(): void {
    this.workflow.watchdog();
  }

  /** Refuses new work, then lets running pages finish for up to `graceMs`. */
  async shutdown(graceMs: number): Promise<void> {
    this.accepting = false;
    await this.workflow.shutdown(graceMs);
  }

  /** Ready for traffic: accepting, workers started, store answering. */
  readiness(): { ready: boolean; checks: Record<string, boolean>; reason?: string } {
    let store = true;
    try {
      this.store.countByStatus();
    } catch {
      store = false;
    }
    const problem = this.storage.problem;
    const queueProblem = this.execution.problem?.() ?? null;
    const checks: Record<string, boolean> = { accepting: this.accepting, workers: this.execution.pool().ready, store, storage: !problem };
    if (this.execution.problem) checks.queue = queueProblem === null;
    const ready = Object.values(checks).every(Boolean);
    if (ready) return { ready, checks };
    const reason = problem
      ? `${problem.code}: writing ${problem.where} failed with ${problem.errno} since ${problem.since}`
      : queueProblem ?? Object.entries(checks).filter(([, ok]) => !ok).map(([name]) => name).join(', ') + ' not ready';
    return { ready, checks, reason };
  }

  /** Retries writes after a storage failure; clears it when they work (see StorageHealth.probe). */
  probeStorage(): Promise<boolean> {
    return this.storage.probe([this.config.OUTPUT_DIR, this.config.DATA_DIR], () => this.store.probeWrite());
  }

  get isAccepting(): boolean {
    return this.accepting;
  }
}
