import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { AppError, ERRORS } from '../../errors.js';
import type { AcceptedReply } from '../../schemas/conversion.js';
import type { ConvertOptions } from '../../schemas/convert-options.js';
import type { ConversionRow } from '../../schemas/conversion-rows.js';
import { safeStem } from '../../intake/input-files.js';
import { redactSecrets } from '../../observability/log-redaction.js';
import type { ConversionStore } from '../contracts/conversion-store.js';
import { acceptSource, retryAfterSeconds, type SourceRequest } from './accept-source.js';
import type { ConversionQueries } from './conversion-queries.js';
import type { ConversionWorkflow } from './conversion-workflow.js';
import type { StorageHealth } from './storage-health.js';

export interface SubmitRequest extends SourceRequest {
  options: ConvertOptions;
  /** The API key name submitting it; null with keys off. */
  owner?: string | null;
  /** Same key, same conversion: a retried request does not start a second one. */
  idempotencyKey?: string;
}

/**
 * Accepting work: the source checked and stored, the limits (per key, queue, storage), the
 * Idempotency-Key, the record inserted and the workflow begun — and the reply, at once.
 */
export class ConversionAdmission {
  constructor(
    private readonly config: Config,
    private readonly store: ConversionStore,
    private readonly workflow: ConversionWorkflow,
    private readonly storage: StorageHealth,
    private readonly queries: ConversionQueries,
    private readonly accepting: () => boolean,
    private readonly log: Logger,
  ) {}

  async submit(req: SubmitRequest): Promise<AcceptedReply> {
    if (!this.accepting()) throw new AppError('shutting_down');
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
        callback_url: req.options.callbackUrl, owner: req.owner ?? null, chunk_tokens: req.options.chunkTokens,
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
    const retry = retryAfterSeconds(queuedPages, this.queries.stats().pages_per_minute.last_5_min);
    this.log.warn({ queued_pages: queuedPages, waiting_conversions: waiting }, 'queue full: refusing new conversion');
    throw new AppError('queue_full', `The queue is full (${queuedPages} pages, ${waiting} conversions waiting); retry in ${retry} s.`, { 'retry-after': String(retry) });
  }

  private acceptedReply(row: ConversionRow, message: string): AcceptedReply {
    const { queue_size, active_tasks } = this.queries.poolStatus();
    const pages = row.total_pages;
    const eta = this.workflow.etaOf(row) ?? (pages ? this.queries.queueEtaSeconds(pages) : null);
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
}
