import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';

/** How often each thread's heap is looked at: a runaway page grows it by tens of MB a second. */
const CHECK_EVERY_MS = 100;
/** A thread is ended when its heap passes this share of its limit (WORKER_MAX_HEAP_MB). */
const END_AT_SHARE = 0.75;

/**
 * Ends a pool thread whose JS heap nears its limit, before V8 reaches the limit itself. At the
 * limit, Node ends only the thread for most allocations, but for some (one array grown by push,
 * a large array filled by index) V8 aborts the whole process with "FATAL ERROR: Reached heap
 * limit" (nodejs/node#47224): seen here with pdf.js on a self-drawing pattern. terminate() stops a
 * thread even inside a synchronous loop; its page then fails as a dead thread's does
 * (`worker_crashed`, retried once).
 */
export function watchThreadHeaps(threads: () => readonly Worker[], limitMb: number, log: Logger): { stop(): void } {
  // Against the old-generation limit the threads are given: V8's heap_size_limit adds the young generation.
  const endAt = END_AT_SHARE * limitMb * 2 ** 20;
  const ending = new WeakSet<Worker>();
  const check = async (thread: Worker) => {
    if (ending.has(thread)) return;
    const heap = await thread.getHeapStatistics().catch(() => null); // the thread may be exiting
    if (!heap || heap.used_heap_size < endAt) return;
    ending.add(thread);
    log.warn({ thread: thread.threadId, used_mb: Math.round(heap.used_heap_size / 2 ** 20), limit_mb: limitMb },
      'pool thread ended: its JS heap neared WORKER_MAX_HEAP_MB');
    await thread.terminate().catch(() => undefined);
  };
  const timer = setInterval(() => {
    for (const thread of threads()) void check(thread);
  }, CHECK_EVERY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
