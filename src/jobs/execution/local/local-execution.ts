import type { Envelope, PageOutput, PageTask } from '../../../schemas/page-result.js';

import type { ExecutionBackend, PoolStats } from '../../contracts/execution-backend.js';
import type { PageRunner } from '../../contracts/page-runner.js';
import { ScheduledExecution } from '../../scheduling/scheduled-execution.js';

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

  /** Nothing outlives this process here: the workflow resumes from the store alone. */
  resume(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.runner.close();
  }
}
