import { randomUUID } from 'node:crypto';
import { Piscina } from 'piscina';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Envelope, InspectResult, InspectTask, PageOutput, PageTask, PreviewTask, TaskError, SearchablePdfTask, SearchablePdfResult } from '../../schemas/page-result.js';

import type { PageRunner } from '../contracts/page-runner.js';
import { buildWorkerBundle } from './worker-bundle.js';
import { OcrChildren } from './ocr-children.js';
import { releaseFreedHeap } from './release-freed-heap.js';
import { removeStaleScratch } from '../../../workers/ocr/ocr-scratch.js';
import { watchThreadHeaps } from './heap-watchdog.js';
import { createPixelLane, releaseLaneIfHolderGone, type PixelLaneData } from '../../../workers/raster/pixel-lane.js';

const START_TIMEOUT_MS = 60_000;

export class PiscinaPageRunner implements PageRunner {
  readonly capacity: number;
  private readonly pool: Piscina;
  private busy = 0;
  private closed = false;
  private readonly heapWatch: { stop(): void };
  private readonly children = new OcrChildren();
  private readonly pixelLane = createPixelLane();

  /** Builds the worker bundle, starts the threads and checks that each can run a task. */
  static async start(config: Config, log: Logger): Promise<PiscinaPageRunner> {
    // a page never runs longer than its timeout, so older scratch folders belong to no live page
    const stale = await removeStaleScratch(config.PAGE_TIMEOUT_S * 2000);
    if (stale > 0) log.info({ removed: stale }, 'removed OCR scratch folders left by an earlier process');
    const bundle = await buildWorkerBundle();
    const runner = new PiscinaPageRunner(config, log, bundle);
    try {
      const timeout = AbortSignal.timeout(START_TIMEOUT_MS);
      await Promise.all(Array.from({ length: runner.capacity }, () => runner.pool.run({}, { name: 'ping', signal: timeout })));
    } catch (err) {
      await runner.close();
      throw err;
    }
    return runner;
  }

  private constructor(private readonly config: Config, private readonly log: Logger, private readonly bundle: { file: string; dispose(): Promise<void> }) {
    this.capacity = config.NUM_WORKERS;
    this.pool = new Piscina({
      filename: bundle.file,
      // With IDLE_RELEASE_S, idle threads are stopped: a thread's tesseract.js engine, WASM heap
      // and cached PDFs hold 150–600 MB that would otherwise stay resident after the queue drains.
      minThreads: config.IDLE_RELEASE_S > 0 ? 0 : config.NUM_WORKERS,
      maxThreads: config.NUM_WORKERS,
      idleTimeout: config.IDLE_RELEASE_S > 0 ? config.IDLE_RELEASE_S * 1000 : 60_000,
      concurrentTasksPerWorker: 1,
      // The bundle is plain JS: without this, every pool thread (and the tesseract.js thread each
      // one starts) would inherit `--import tsx` from `npm start` and load the TypeScript loader.
      execArgv: [],
      // Catches JS heap blow-ups; image memory is bounded separately by the pixel budget.
      resourceLimits: { maxOldGenerationSizeMb: config.WORKER_MAX_HEAP_MB },
      // One thread at a time obtains a page's pixels (workers/raster/pixel-lane.ts): the peak is one decode.
      workerData: { pixelLane: this.pixelLane } satisfies PixelLaneData,
    });
    // A thread stopped while holding the lane (a page timeout, a heap overflow) must not keep it.
    // Checked once the pool has dropped the thread, against the threads still alive.
    this.pool.on('workerDestroy', () => setImmediate(() => {
      releaseLaneIfHolderGone(this.pixelLane, this.pool.threads.map((t) => t.threadId));
      // The last thread gone (IDLE_RELEASE_S): what the threads freed goes back to the system.
      if (this.pool.threads.length === 0 && !this.closed) this.log.debug({ trimmed: releaseFreedHeap() }, 'pool idle: heap trimmed');
    }));
    this.heapWatch = watchThreadHeaps(() => this.pool.threads, config.WORKER_MAX_HEAP_MB, log);
    // Without a listener, an error event from the pool would crash the process.
    this.pool.on('error', (err: Error) => this.log.error({ err }, 'worker pool error'));
  }

  inspect(task: InspectTask, signal: AbortSignal): Promise<Envelope<InspectResult>> {
    return this.run<InspectResult>('inspect', { ...task, max_megapixels: this.config.MAX_PAGE_MEGAPIXELS }, signal, this.config.PAGE_TIMEOUT_S * 1000);
  }

  runPage(task: PageTask, signal: AbortSignal, timeoutMs: number): Promise<Envelope<PageOutput>> {
    const taskId = randomUUID();
    this.children.begin(taskId);
    return this.run<PageOutput>('processPage', { ...task, task_id: taskId }, signal, timeoutMs, taskId);
  }

  searchablePdf(task: SearchablePdfTask, signal: AbortSignal, timeoutMs: number): Promise<Envelope<SearchablePdfResult>> {
    return this.run<SearchablePdfResult>('buildSearchablePdf', task, signal, timeoutMs);
  }

  pagePreview(task: PreviewTask, signal: AbortSignal, timeoutMs: number): Promise<Envelope<Uint8Array>> {
    return this.run<Uint8Array>('pagePreview', task, signal, timeoutMs);
  }

  stats() {
    // `busy` counts tasks handed to the pool; at most `capacity` of them run at once. Threads
    // released while idle start again with the next task, so the pool stays ready without them.
    return { threads: this.pool.threads.length, queued_tasks: this.pool.queueSize, busy: Math.min(this.busy, this.capacity), ready: !this.closed };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.heapWatch.stop();
    await this.pool.destroy();
    this.children.close();
    await this.bundle.dispose();
  }

  private async run<T>(name: string, task: unknown, signal: AbortSignal, timeoutMs: number, taskId?: string): Promise<Envelope<T>> {
    // Piscina terminates the thread when a running task is aborted: the only way to stop a page
    // that spins inside pdf.js (operator_list_cycle.pdf) or a runaway WASM call.
    const timeout = AbortSignal.timeout(timeoutMs);
    this.busy++;
    let stopped = false;
    try {
      return (await this.pool.run(task, { name, signal: AbortSignal.any([signal, timeout]) })) as Envelope<T>;
    } catch (err) {
      stopped = true;
      const error: TaskError = timeout.aborted && !signal.aborted
        ? { code: 'page_timeout', message: `Stopped after ${Math.round(timeoutMs / 1000)} s (PAGE_TIMEOUT_S).` }
        : signal.aborted
          ? { code: 'cancelled', message: 'Stopped: the conversion was cancelled or the server is shutting down.' }
          : { code: 'worker_crashed', message: 'The worker thread died while processing this page.' };
      if (error.code === 'worker_crashed') this.log.warn({ err, task: name }, 'worker thread failed');
      return { ok: false, error };
    } finally {
      this.busy--;
      if (taskId) this.children.end(taskId, stopped);
    }
  }
}
