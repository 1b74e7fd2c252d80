import { AppError } from '../../errors.js';
import type { Languages } from '../../languages/languages.js';
import type { ConversionFiles } from '../../outputs/conversion-files.js';
import type { ConversionRecord, ConversionStatus, ProgressMessage } from '../../schemas/conversion.js';
import { fileEnding, type OutputFormat } from '../../schemas/convert-options.js';
import type { ConversionRow } from '../../schemas/conversion-rows.js';
import type { Backend } from '../contracts/backend.js';
import type { OnDemandDocuments } from '../documents/on-demand-documents.js';
import { formatsOf, neverProduced, toRecord } from './conversion-records.js';
import type { ConversionWorkflow } from './conversion-workflow.js';
import { terminalFrame } from './progress-frames.js';
import { queueStats, type QueueStats } from './queue-stats.js';
import type { StorageHealth } from './storage-health.js';

/**
 * Reading state: records (another key's conversion does not exist for a key), pages while the rest
 * still runs, result files, the pool, stats, readiness, and the progress stream with its snapshot.
 */
export class ConversionQueries {
  constructor(
    private readonly parts: Pick<Backend, 'store' | 'blobs' | 'execution' | 'bus' | 'cluster'>,
    private readonly workflow: ConversionWorkflow,
    private readonly documents: OnDemandDocuments,
    private readonly storage: StorageHealth,
    private readonly languages: Languages,
    private readonly accepting: () => boolean,
  ) {}

  private get store() {
    return this.parts.store;
  }

  private get blobs() {
    return this.parts.blobs;
  }

  private get execution() {
    return this.parts.execution;
  }

  /** A conversion as seen by `owner`: another key's conversion does not exist for it. */
  row(id: string, owner?: string | null): ConversionRow {
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
    return { path: this.filesOf(row).document(format), filename: `${row.output_stem}.${fileEnding(format)}` };
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
        worker_threads: pool.threads, accepting: this.accepting(),
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
      accepting: this.accepting(),
      ocr_engine: this.languages.ocr?.engine ?? 'wasm',
      ...(this.parts.cluster ? { cluster: { nodes: this.parts.cluster.nodes(), refused: this.parts.cluster.refused() } } : {}),
    };
  }

  stats(owner: string | null = null): QueueStats {
    return queueStats(this.store, this.poolStatus(owner), Date.now(), owner);
  }

  queueEtaSeconds(extraPages: number): number | null {
    const perMinute = this.stats().pages_per_minute.last_5_min;
    return perMinute > 0 ? Math.round(((this.workflow.counts().queued_pages + extraPages) / perMinute) * 60) : null;
  }

  /** The snapshot and the live stream, subscribed together so no message falls between them. */
  watch(id: string, listener: (m: ProgressMessage) => void, owner?: string | null): { snapshot: ConversionRecord; unsubscribe: () => void } {
    const snapshot = this.get(id, owner);
    const unsubscribe = this.parts.bus.subscribe(id, listener);
    return { snapshot, unsubscribe };
  }

  /** The frame that ended a conversion, rebuilt from the store for subscribers who come late (see terminalFrame). */
  async terminalMessage(id: string): Promise<ProgressMessage | null> {
    const row = this.row(id);
    return terminalFrame(row, row.status === 'completed' ? await this.blobs.readResults(row) : []);
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
    const queueProblem = this.parts.cluster?.problem() ?? null;
    const checks: Record<string, boolean> = { accepting: this.accepting(), workers: this.execution.pool().ready, store, storage: !problem };
    if (this.parts.cluster) checks.queue = queueProblem === null;
    const ready = Object.values(checks).every(Boolean);
    if (ready) return { ready, checks };
    const reason = problem
      ? `${problem.code}: writing ${problem.where} failed with ${problem.errno} since ${problem.since}`
      : queueProblem ?? Object.entries(checks).filter(([, ok]) => !ok).map(([name]) => name).join(', ') + ' not ready';
    return { ready, checks, reason };
  }
}
