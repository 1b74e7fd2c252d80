import type { Envelope, InspectResult, InspectTask, PageOutput, PageTask, PreviewTask } from '../../schemas/page-result.js';
import type { SearchablePdfTask } from '../../../workers/searchable-pdf.js';
import type { ExecutionBackend, PoolStats } from '../contracts/execution-backend.js';
import type { PageRunner } from '../page-runner.js';
import { ScheduledExecution } from '../scheduled-execution.js';

/** Local execution: the fair PageScheduler hands pages, one per thread, to a pool in this process. */
export class LocalExecution extends ScheduledExecution implements ExecutionBackend {
  readonly capacity: number;

  constructor(readonly runner: PageRunner) {
    super(runner.capacity);
    this.capacity = runner.capacity;
  }

  pool(): PoolStats {
    const { threads, busy, queued_tasks, ready } = this.runner.stats();
    return { threads, busy, queued_tasks, ready };
  }

  runPage(task: PageTask, signal: AbortSignal, timeoutMs: number, beforeInProcess: () => void): Promise<Envelope<PageOutput>> {
    beforeInProcess();
    return this.runner.runPage(task, signal, timeoutMs);
  }

  inspect(task: InspectTask, signal: AbortSignal): Promise<Envelope<InspectResult>> {
    return this.runner.inspect(task, signal);
  }

  searchablePdf(task: SearchablePdfTask, signal: AbortSignal, timeoutMs: number): Promise<Envelope<{ pages: number }>> {
    return this.runner.searchablePdf(task, signal, timeoutMs);
  }

  pagePreview(task: PreviewTask, signal: AbortSignal, timeoutMs: number): Promise<Envelope<Uint8Array>> {
    return this.runner.pagePreview(task, signal, timeoutMs);
  }

  /** Nothing outlives this process here: the workflow resumes from the store alone. */
  resume(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.runner.close();
  }
}
