import type { Priority } from '../../schemas/conversion.js';
import type { Envelope, InspectResult, InspectTask, PageOutput, PageTask, PreviewTask } from '../../schemas/page-result.js';
import type { SearchablePdfTask } from '../../../workers/searchable-pdf.js';
import type { ExecutionBackend, PageStep, PoolStats } from '../contracts/execution-backend.js';
import type { PageRunner } from '../page-runner.js';
import { PageScheduler } from './page-scheduler.js';

/** Local execution: the fair PageScheduler hands pages, one per thread, to a pool in this process. */
export class LocalExecution implements ExecutionBackend {
  readonly capacity: number;
  private readonly scheduler: PageScheduler;
  private step: PageStep = () => Promise.reject(new Error('no page step attached'));

  constructor(readonly runner: PageRunner) {
    this.capacity = runner.capacity;
    this.scheduler = new PageScheduler(runner.capacity, (conversionId, pageNo, signal, threadFree) =>
      this.step({ conversionId, pageNo, signal, threadFree }));
  }

  attach(step: PageStep): void {
    this.step = step;
  }

  start(conversionId: string, pages: number[], priority: Priority): void {
    this.scheduler.enqueue(conversionId, pages, priority);
  }

  cancel(conversionId: string, reason: unknown): number {
    return this.scheduler.cancel(conversionId, reason);
  }

  isRunning(conversionId: string, pageNo: number): boolean {
    return this.scheduler.isRunning(conversionId, pageNo);
  }

  counts(): { queued_pages: number; active_pages: number } {
    const { queued_pages, active_pages } = this.scheduler.stats();
    return { queued_pages, active_pages };
  }

  pool(): PoolStats {
    const { threads, busy, queued_tasks, ready } = this.runner.stats();
    return { threads, busy, queued_tasks, ready };
  }

  runPage(task: PageTask, signal: AbortSignal, timeoutMs: number): Promise<Envelope<PageOutput>> {
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

  async drain(graceMs: number, reason: unknown): Promise<void> {
    this.scheduler.pause();
    const timer = new Promise<'timeout'>((r) => setTimeout(r, graceMs, 'timeout').unref());
    if ((await Promise.race([this.scheduler.idle().then(() => 'idle' as const), timer])) === 'timeout') {
      this.scheduler.abortAll(reason);
      await this.scheduler.idle();
    }
  }

  close(): Promise<void> {
    return this.runner.close();
  }
}
