import type { Priority } from '../../schemas/conversion.js';
import type { PageStep } from '../contracts/execution-backend.js';
import { PageScheduler } from './page-scheduler.js';

/**
 * What every execution backend shares: the fair PageScheduler decides which page goes next
 * (priority, then round-robin across conversions), and the workflow's page step runs it. Local
 * mode gives the scheduler its pool's threads; distributed mode the live worker nodes' threads.
 * Subclasses say where a page runs; the queue, cancel and drain are the same for both.
 */
export abstract class ScheduledExecution {
  protected readonly scheduler: PageScheduler;
  private step: PageStep = () => Promise.reject(new Error('no page step attached'));

  protected constructor(threads: number) {
    this.scheduler = new PageScheduler(threads, (conversionId, pageNo, signal, threadFree) =>
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

  /** Stops handing out pages, lets running ones finish for up to `graceMs`, then stops them. */
  async drain(graceMs: number, reason: unknown): Promise<void> {
    this.scheduler.pause();
    const timer = new Promise<'timeout'>((r) => setTimeout(r, graceMs, 'timeout').unref());
    if ((await Promise.race([this.scheduler.idle().then(() => 'idle' as const), timer])) === 'timeout') {
      this.scheduler.abortAll(reason);
      await this.scheduler.idle();
    }
  }
}
