import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { ConversionRow } from '../../schemas/conversion-rows.js';
import type { PageSource, TaskError } from '../../schemas/page-result.js';
import { storageFailure } from '../../storage-errors.js';
import { batchCounts } from './conversion-records.js';
import type { ConversionStore } from '../contracts/conversion-store.js';
import type { ExecutionBackend } from '../contracts/execution-backend.js';
import type { ProgressBus } from '../contracts/progress-bus.js';
import { PageTimings } from './page-timings.js';
import { processingFrame, terminalFrame, type ProcessingStep } from './progress-frames.js';
import type { StorageHealth } from './storage-health.js';

/** Same rule for the whole-conversion steps (inspect, assemble): tried again once after a crash, then failed. */
const MAX_STEP_ATTEMPTS = 2;
export const crashed = (message: string): TaskError => ({ code: 'worker_crashed', message });

/**
 * What the workflow's parts share about conversions in flight: which ones this process works on,
 * which have work running, their timings, and the few ways one ends or reports progress. The
 * page outcomes, the finalizer and the workflow each act through it, never through each other's state.
 */
export class ConversionLifecycle {
  /** Non-terminal conversions this process is working on, and those with work running right now. */
  readonly live = new Set<string>();
  private readonly busy = new Map<string, number>();
  readonly timings = new PageTimings();

  constructor(
    private readonly config: Config,
    private readonly store: ConversionStore,
    private readonly backend: ExecutionBackend,
    private readonly bus: ProgressBus,
    private readonly log: Logger,
    private readonly storage: StorageHealth,
  ) {}

  markBusy(id: string, delta: 1 | -1): void {
    const n = (this.busy.get(id) ?? 0) + delta;
    if (n <= 0) this.busy.delete(id);
    else this.busy.set(id, n);
  }

  isBusy(id: string): boolean {
    return this.busy.has(id);
  }

  busyCount(): number {
    return this.busy.size;
  }

  /** The conversion reached its end: this process stops tracking it. */
  ended(id: string): void {
    this.live.delete(id);
    this.timings.forget(id);
  }

  /** Publishes the frame of a conversion that just ended (see terminalFrame). */
  publishEnd(row: ConversionRow, results: Parameters<typeof terminalFrame>[1] = []): void {
    const frame = terminalFrame(row, results);
    if (frame) this.bus.publish(frame);
  }

  publishProgress(row: ConversionRow, step: ProcessingStep, source: PageSource | null, durationMs: number | null): void {
    this.bus.publish(processingFrame(row, step, { source, durationMs }, this.timings.estimate(row), this.batchesOf(row)));
  }

  batchesOf(row: ConversionRow) {
    return row.total_pages ? batchCounts(this.store.batches(row.id, this.config.BATCH_SIZE, row.status === 'processing')) : null;
  }

  /** A storage failure becomes its storage code (and /ready reports it); anything else `fallback`. */
  failureOf(err: unknown, what: string, fallback: TaskError): TaskError {
    this.storage.report(err, what);
    return storageFailure(err, what) ?? fallback;
  }

  /** Never throws: it runs in catch blocks, where a second error would escape as a crash. */
  fail(id: string, error: TaskError): void {
    this.ended(id);
    this.backend.cancel(id, 'failed');
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
    this.publishEnd(row);
  }

  /**
   * Counts a try of a whole-conversion step. A step the process died in on every try is not
   * replayed forever: past MAX_STEP_ATTEMPTS the conversion fails. Returns whether to go on.
   */
  stepAllowed(id: string, step: string): boolean {
    const tries = this.store.beginStep(id);
    if (tries <= MAX_STEP_ATTEMPTS) return true;
    this.log.error({ conversion_id: id, step, tries }, 'the server stopped in this step on every try; giving up');
    this.fail(id, crashed(`The server stopped ${tries - 1} times while ${step} this conversion; it was given up.`));
    return false;
  }

  /** A try that ended — well, with a handled error, or stopped by a graceful shutdown — does not count. */
  stepEnded(id: string): void {
    try {
      this.store.endStep(id);
    } catch (err) {
      this.storage.report(err, 'database');
    }
  }
}
