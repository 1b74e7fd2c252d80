import type { Priority } from '../../schemas/conversion.js';
import type { Envelope, PageOutput, PageTask } from '../../schemas/page-result.js';


/** A page whose turn has come: run it through `runPage`, then record what came back. */
export interface PageTurn {
  conversionId: string;
  pageNo: number;
  /** Aborted by cancel, failure, or a shutdown past its grace period. */
  signal: AbortSignal;
  /** Call once the page's work is done (before its results are written): the next page may start. */
  threadFree: () => void;
}

/** What the workflow does with a page whose turn came (set once, at wiring). */
export type PageStep = (turn: PageTurn) => Promise<void>;

export interface PoolStats {
  /** Page threads that can run now (local threads, or every worker node's threads). */
  threads: number;
  busy: number;
  queued_tasks: number;
  /** Can take tasks (idle threads may be released and start again on demand). */
  ready: boolean;
}

/**
 * Where and in which order pages run: the fair queue (pages of conversions take turns, priority
 * classes share by weight) and the threads that execute the tasks. The workflow decides what a
 * page's outcome means; the backend only schedules, runs and stops. Whole-document tasks (inspect,
 * searchable PDF, previews) are not its business: they run on DocumentTasks, in this process.
 * Local: the PageScheduler hands pages to the Piscina pool (execution/local/); BullMQ: to worker
 * nodes through Redis (execution/bullmq/).
 */
export interface ExecutionBackend {
  /** How many pages can run at the same time. */
  readonly capacity: number;
  /** Sets what runs when a page's turn comes. Called once, before start(). */
  attach(step: PageStep): void;
  /** Queues pages of a conversion. */
  start(conversionId: string, pages: number[], priority: Priority): void;
  /** Drops queued pages of a conversion and aborts its running ones; how many were stopped. */
  cancel(conversionId: string, reason: unknown): number;
  isRunning(conversionId: string, pageNo: number): boolean;
  counts(): { queued_pages: number; active_pages: number };
  pool(): PoolStats;
  /**
   * Runs one page task. Never rejects: abort → `cancelled`, timeout → `page_timeout`, dead thread →
   * `worker_crashed`, a worker node that stopped → `worker_crashed` with `node_lost`. A page run on a
   * thread of this process could take the process down with it: `beforeInProcess` is called, and
   * has recorded that, before such a run starts (a page sent to a worker node cannot crash us).
   */
  runPage(task: PageTask, signal: AbortSignal, timeoutMs: number, beforeInProcess: () => void): Promise<Envelope<PageOutput>>;
  /** Reconciles the backend's own state after a restart, before the workflow resumes conversions. */
  resume(): Promise<void>;
  /**
   * Stops starting pages and lets running ones finish for up to `graceMs`; past it, aborts them with
   * `reason`. Resolves once none runs.
   */
  drain(graceMs: number, reason: unknown): Promise<void>;
  /** Releases threads and connections; after drain(). */
  close(): Promise<void>;
}
