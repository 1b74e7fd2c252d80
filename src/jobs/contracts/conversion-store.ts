import type { ConversionErrorCode } from '../../errors.js';
import type { ConversionStatus } from '../../schemas/conversion.js';
import type { BatchTally, ConversionRow, NewConversion, PageOutcome, PageRow } from '../../schemas/conversion-rows.js';

export type EndStatus = 'completed' | 'error' | 'cancelled';

/**
 * Records of conversions and their pages, and the tallies read from them: the source of truth a
 * crashed process resumes from. Synchronous on purpose: checks and inserts that must not
 * interleave (limits, idempotency) run in one step of the event loop. Local: SQLite (JobStore).
 */
export interface ConversionStore {
  close(): void;
  /** Throws when the database cannot take writes (the storage probe). */
  probeWrite(): void;

  // ---- conversions
  insert(c: NewConversion): ConversionRow;
  get(id: string): ConversionRow | undefined;
  list(opts: { status?: ConversionStatus; owner?: string | null; limit: number; offset: number }): { items: ConversionRow[]; total: number };
  /** The PDF password of a conversion in clear (stored sealed when the store has a key). */
  passwordOf(row: ConversionRow): string | undefined;
  byIdempotencyKey(key: string, owner: string | null): ConversionRow | undefined;
  latestByStem(stem: string, status?: ConversionStatus, owner?: string | null): ConversionRow | undefined;
  outputStemTaken(stem: string): boolean;
  unfinished(): ConversionRow[];
  unfinishedCountOf(owner: string): number;
  endedBefore(before: string, limit?: number): ConversionRow[];
  /** Inspected: the page rows exist; false when the conversion ended meanwhile. */
  start(id: string, documentPages: number, selected: number[], startedAt: string): boolean;
  /** Ends a conversion once; undefined when it had already ended. */
  finish(id: string, status: EndStatus, message: string, error?: { code: ConversionErrorCode; message: string }): ConversionRow | undefined;
  delete(id: string): void;
  /** Tries of the current whole-conversion step (inspect, assemble), counted before it runs. */
  beginStep(id: string): number;
  endStep(id: string): void;

  // ---- pages
  pages(id: string): PageRow[];
  page(id: string, pageNo: number): PageRow | undefined;
  unfinishedPages(id: string): PageRow[];
  /** The page's turn came (it is on a thread or sent to a worker node); charges no attempt. */
  markPageRunning(id: string, pageNo: number): void;
  /**
   * Counts one try that may crash a worker (a page run in this process, or one whose thread died on
   * a worker node); returns the tries so far. A page running when the process died is known by this.
   */
  chargePageAttempt(id: string, pageNo: number): number;
  /** Takes back a charged try that ended by no fault of the page (a shutdown stopped it). */
  refundPageAttempt(id: string, pageNo: number): void;
  /** Counts a worker node that stopped (killed, partitioned) while it ran the page; returns the count. */
  countNodeLoss(id: string, pageNo: number): number;
  requeuePage(id: string, pageNo: number): void;
  finishPage(id: string, pageNo: number, o: PageOutcome, message: string | ((row: ConversionRow) => string)): ConversionRow;

  // ---- tallies
  batches(id: string, size: number, live?: boolean): BatchTally[];
  countByStatus(owner?: string | null): Record<ConversionStatus, number>;
  pagesFinishedSince(since: string, owner?: string | null): number;
  meanWaitSeconds(since: string, owner?: string | null): number | null;
  pagesOutstanding(owner?: string | null): number;
  workOf(owner: string): { ids: string[]; pagesQueued: number; pagesRunning: number };

  // ---- uploads and webhooks
  recordUpload(filename: string, owner: string): void;
  /** Gives everything `from` owns (conversions, uploads) to `to`; how many conversions moved. */
  renameOwner(from: string, to: string): number;
  uploadOwner(filename: string): string | undefined;
  inputNamesOf(owner: string): Set<string>;
  setWebhookState(id: string, status: 'pending' | 'delivered' | 'failed', attempts: number): void;
  pendingWebhooks(): string[];
}
