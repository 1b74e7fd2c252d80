import type { ExecutionBackend, PoolStats } from '../../src/jobs/contracts/execution-backend.js';
import { ScheduledExecution } from '../../src/jobs/scheduling/scheduled-execution.js';
import { pageFileTexts } from '../../workers/layout/page-files.js';
import type { Envelope, PageOutput, PageResult, PageTask } from '../../src/schemas/page-result.js';

/** One call of runPage as a script sees it: which page, its how-manieth run, and the hooks. */
export interface PageCall {
  pageNo: number;
  /** 1 for the first run of this page in this backend, 2 for the next… */
  run: number;
  signal: AbortSignal;
  /** Runs the backend's in-process hook (what LocalExecution does before a thread takes the page). */
  inProcess: () => void;
}
export type PageScript = (call: PageCall) => Envelope<PageOutput> | Promise<Envelope<PageOutput>>;

/** A page read well: what a worker returns for a page with this text. */
export function donePage(pageNo: number, text = `Page ${pageNo} text`): Envelope<PageOutput> {
  const page: PageResult = {
    page_no: pageNo, width: 1000, height: 1400, dpi: 150, source: 'ocr', source_reason: 'no-text-layer', confidence: 90,
    text, blocks: [], rotation: 0, blank: false, warnings: [], duration_ms: 1,
  };
  return { ok: true, value: { page: { page_no: pageNo, source: 'ocr', confidence: 90, duration_ms: 1 }, files: pageFileTexts(page, 'prompt_ocr') } };
}

export const crashed = (nodeLost = false): Envelope<PageOutput> => ({
  ok: false, error: { code: 'worker_crashed', message: nodeLost ? 'The worker node running this page stopped.' : 'thread died', ...(nodeLost ? { node_lost: true as const } : {}) },
});

/** Resolves `cancelled` once the task is stopped (a cancel or a shutdown), never before. */
export const untilStopped = <T = PageOutput>(signal: AbortSignal): Promise<Envelope<T>> => new Promise((resolve) => {
  const stop = () => resolve({ ok: false, error: { code: 'cancelled', message: 'stopped' } });
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
});

/**
 * An ExecutionBackend with the real fair scheduler and no threads: pages "run" by a script, so the
 * workflow's rules (retries, attempts, shutdown, restart) are tested in milliseconds.
 */
export class FakeExecution extends ScheduledExecution implements ExecutionBackend {
  readonly capacity: number;
  readonly calls: { pageNo: number; run: number }[] = [];
  private readonly runs = new Map<number, number>();
  private busy = 0;

  constructor(private readonly script: PageScript, threads = 2) {
    super(threads);
    this.capacity = threads;
  }

  pool(): PoolStats {
    return { threads: this.capacity, busy: this.busy, queued_tasks: this.scheduler.stats().queued_pages, ready: true };
  }

  async runPage(task: PageTask, signal: AbortSignal, _timeoutMs: number, beforeInProcess: () => void): Promise<Envelope<PageOutput>> {
    const run = (this.runs.get(task.page_no) ?? 0) + 1;
    this.runs.set(task.page_no, run);
    this.calls.push({ pageNo: task.page_no, run });
    this.busy++;
    try {
      return await this.script({ pageNo: task.page_no, run, signal, inProcess: beforeInProcess });
    } finally {
      this.busy--;
    }
  }

  async resume(): Promise<void> {}

  async close(): Promise<void> {}
}
